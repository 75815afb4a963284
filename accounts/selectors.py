"""Reads on accounts: who must still pass the second factor, and the coordinators' lists."""

from typing import Any, TypeGuard

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Invitation, User
from responses.models import Membership


def has_authenticator(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def second_factor_pending(user: Any) -> TypeGuard[User]:
    """A signed-in person who must still pass (or set up) the second factor before anything
    else. Always False when two-factor sign-in is switched off (the local demo). True only for a
    signed-in user, hence the TypeGuard (request.user is typed User | AnonymousUser)."""
    if not settings.TWO_FACTOR_REQUIRED or not getattr(user, "is_authenticated", False):
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (is_verified and is_verified())


def backup_codes_left(user: User) -> int:
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    return device.token_set.count() if device else 0


def users_for_management(filters: dict[str, Any]) -> QuerySet[User]:
    """Every account with its countries, filtered by name, country, role and state; each filter
    is a bound ORM parameter."""
    users = (
        User.objects.order_by("username")
        .prefetch_related(
            Prefetch(
                "memberships", queryset=Membership.objects.select_related("country").order_by("country__name")
            )
        )
        .annotate(has_authenticator=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
    )
    if filters.get("q"):
        q = filters["q"]
        users = users.filter(
            Q(username__icontains=q)
            | Q(email__icontains=q)
            | Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
        )
    if filters.get("country"):
        users = users.filter(memberships__country__code=filters["country"].upper())
    role = filters.get("role")
    if role in User.GlobalRole.values and role:
        users = users.filter(global_role=role)
    elif role in Membership.Role.values:
        users = users.filter(memberships__role=role)
    if filters.get("state") == "active":
        users = users.filter(is_active=True)
    elif filters.get("state") == "inactive":
        users = users.filter(is_active=False)
    return users.distinct()


def memberships_of(user: User) -> QuerySet[Membership]:
    """A person's country roles, by country name."""
    return user.memberships.select_related("country").order_by("country__name")


def invitations_open() -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
    ).select_related("country", "invited_by")


def invitations_recent(limit: int = 50) -> QuerySet[Invitation]:
    return Invitation.objects.select_related("country", "invited_by", "accepted_user")[:limit]


def language_of(user: User) -> str:
    """The language a person reads: the one chosen on their account, else the site's default
    (mails reach them outside any page, so no browser says it)."""
    return user.language if user.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
