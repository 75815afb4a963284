"""Writes on accounts: invitations, roles, deactivation and the second factor. Every change a
coordinator makes is audit-logged; every rule about who may make it is in `responses.permissions`."""

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from typing import cast

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_otp import devices_for_user, verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import permissions
from accounts.models import Invitation, User
from accounts.selectors import language_of
from audit.models import AuditEvent
from audit.services import audit_record
from responses.models import Country, Membership
from responses.services import membership_grant

GLOBAL_ROLES = (User.GlobalRole.ANALYST, User.GlobalRole.COORDINATOR)


COORDINATORS_GROUP = "Coordinators"


def coordinators_group() -> Group:
    """The admin permissions every coordinator holds: setup only (questionnaires, countries,
    accounts' names and addresses), never the answers, which change only through the services.
    Country roles and invitations are only read there: they are changed on the coordinators'
    pages, which refuse a country role to an analyst or a coordinator (a coordinator with one
    would read and edit that country's draft) and mail and audit the invitations."""
    group, _created = Group.objects.get_or_create(name=COORDINATORS_GROUP)
    read_only = ("accounts.invitation", "responses.membership")
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="questionnaire")
        | Permission.objects.filter(content_type__app_label="accounts", content_type__model="user")
        | Permission.objects.filter(content_type__app_label="responses", content_type__model="country")
        # Lifting a login lockout is deleting the failed attempts (django-axes).
        | Permission.objects.filter(
            content_type__app_label="axes",
            content_type__model="accessattempt",
            codename__in=["view_accessattempt", "delete_accessattempt"],
        )
        | Permission.objects.filter(
            content_type__app_label__in=[label.split(".")[0] for label in read_only],
            content_type__model__in=[label.split(".")[1] for label in read_only],
            codename__startswith="view_",
        )
    )
    return group


def admin_access_sync(user: User) -> None:
    """Coordinators get Django's admin with the coordinators' permissions; anyone else loses it
    (superusers keep theirs)."""
    group = coordinators_group()
    if permissions.gets_coordinators_admin(user):
        user.groups.add(group)
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    else:
        user.groups.remove(group)
        if user.is_staff and not user.is_superuser:
            user.is_staff = False
            user.save(update_fields=["is_staff"])


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _require_manager(user: User) -> None:
    """The acting person must manage accounts, as the database says now (not as their request
    loaded them): the active coordinators' rows are locked in one order, so that two coordinators
    demoting or deactivating each other at the same moment cannot leave none. Call it inside a
    transaction."""
    if not permissions.can_manage_accounts(user):
        raise PermissionDenied
    active = (
        User.objects.select_for_update()
        .filter(global_role=User.GlobalRole.COORDINATOR, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if user.pk not in set(active):
        raise PermissionDenied


def _invitations_of_withdraw(sender: User) -> int:
    """Open invitations sent by someone who no longer manages accounts stop working."""
    return Invitation.objects.filter(invited_by=sender, accepted_at=None, revoked_at=None).update(
        revoked_at=timezone.now()
    )


def _check_role(country: Country | None, role: str) -> None:
    if country is None and role not in GLOBAL_ROLES:
        raise ValidationError({"role": _("Without a country, the role must be analyst or coordinator.")})
    if country is not None and role not in Membership.Role.values:
        raise ValidationError({"role": _("For a country, the role must be drafter, approver or viewer.")})


@transaction.atomic
def invitation_send(
    *, email: str, country: Country | None, role: str, invited_by: User, accept_url_for: Callable[[str], str]
) -> Invitation:
    """Creates an invitation and mails its link. ``accept_url_for(token)`` builds the absolute link
    (the caller knows the host). Earlier open invitations to the same address are revoked, so only
    the newest link works."""
    _require_manager(invited_by)
    _check_role(country, role)
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email, is_active=True).exists():
        raise ValidationError(
            {"email": _("An active account already uses this address; change its roles on its page.")}
        )
    now = timezone.now()
    replaced = Invitation.objects.filter(email__iexact=email, accepted_at=None, revoked_at=None).update(
        revoked_at=now
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email,
        country=country,
        role=role,
        token_hash=token_hash(token),
        invited_by=invited_by,
        expires_at=now + dt.timedelta(hours=settings.INVITATION_VALID_HOURS),
    )
    link = accept_url_for(token)
    where = country.name if country else _("all countries")
    subject = _("Allied Responses: you are invited")
    body = _(
        "You are invited to Allied Responses as %(role)s (%(where)s).\n\n"
        "Open this link to choose your user name and password and to set up your second factor:\n"
        "%(link)s\n\nThe link works once and expires on %(expires)s (UTC). "
        "If you did not expect this message, ignore it."
    ) % {
        "role": invitation.role_label,
        "where": where,
        "link": link,
        "expires": f"{invitation.expires_at:%Y-%m-%d %H:%M}",
    }
    audit_record(
        user=invited_by,
        action=AuditEvent.Action.INVITATION_SEND,
        email=email,
        role=role,
        country=country.code if country else "",
        **({"replaced": replaced} if replaced else {}),
    )
    # Mailed only once the invitation is stored: a failed commit sends no link that cannot work.
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email]))
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, user: User) -> None:
    _require_manager(user)
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError(_("This invitation is no longer open."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        user=user,
        action=AuditEvent.Action.INVITATION_REVOKE,
        email=invitation.email,
        country=invitation.country.code if invitation.country else "",
    )


def invitation_problem(invitation: Invitation | None) -> str | None:
    """Why a link cannot be used, in words for the person holding it; None if it can."""
    if invitation is None:
        return _("This invitation link is not valid. Ask your coordinator for a new one.")
    if invitation.accepted_at:
        return _("This invitation has already been used. Sign in with the account it created.")
    if invitation.revoked_at:
        return _("This invitation was withdrawn. Ask your coordinator for a new one.")
    if invitation.expires_at <= timezone.now():
        return _("This invitation has expired. Ask your coordinator for a new one.")
    # Whoever sent it must still manage accounts: a coordinator deactivated or demoted since
    # (also in the admin, which does not withdraw their invitations) hands out nothing more.
    if not permissions.can_manage_accounts(invitation.invited_by):
        return _("This invitation was withdrawn. Ask your coordinator for a new one.")
    # Checked when it was sent, and again now: an account may have been reactivated since.
    if User.objects.filter(email__iexact=invitation.email, is_active=True).exists():
        return _("An account already uses this email address. Sign in with it, or ask your coordinator.")
    return None


@transaction.atomic
def invitation_accept(
    *, token: str, username: str, password: str, first_name: str = "", last_name: str = ""
) -> User:
    """Creates the account an invitation offers. The invitation row is locked, so two clicks on
    one link create one account."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",)).filter(token_hash=token_hash(token)).first()
    )
    problem = invitation_problem(invitation)
    if problem:
        raise ValidationError(problem)
    # invitation_problem names a missing invitation as a problem: there is one from here on.
    invitation = cast(Invitation, invitation)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This user name is taken; choose another.")})
    user = User(
        username=username,
        email=invitation.email,
        first_name=first_name,
        last_name=last_name,
        global_role=invitation.role if invitation.country is None else "",
    )
    password_validation.validate_password(password, user=user)
    user.set_password(password)
    user.save()
    if invitation.country is not None:
        membership_grant(user=user, country=invitation.country, role=invitation.role)
    admin_access_sync(user)
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    audit_record(
        user=user,
        action=AuditEvent.Action.INVITATION_ACCEPT,
        email=invitation.email,
        role=invitation.role,
        country=invitation.country.code if invitation.country else "",
    )
    return user


def _refuse_self(target: User, user: User) -> None:
    """Refuses a change of one's own account, and one that accounts.permissions forbids."""
    if target.pk == user.pk:
        raise ValidationError(_("You cannot change your own account here; ask another coordinator."))
    if not permissions.can_change_account(user, target):
        raise PermissionDenied(_("A superuser's account is changed by superusers alone."))


@transaction.atomic
def user_deactivate(*, target: User, user: User) -> None:
    """The account can no longer sign in; an open session ends at its next request (Django
    refuses inactive users), and invitations it sent stop working. Nothing the person wrote is
    removed."""
    _require_manager(user)
    _refuse_self(target, user)
    if not target.is_active:
        return
    target.is_active = False
    target.save(update_fields=["is_active"])
    withdrawn = _invitations_of_withdraw(target)
    audit_record(
        user=user,
        action=AuditEvent.Action.ACCOUNT_DEACTIVATE,
        target=target.username,
        **({"invitations_withdrawn": withdrawn} if withdrawn else {}),
    )


@transaction.atomic
def user_reactivate(*, target: User, user: User) -> None:
    _require_manager(user)
    _refuse_self(target, user)
    if target.is_active:
        return
    target.is_active = True
    target.save(update_fields=["is_active"])
    audit_record(user=user, action=AuditEvent.Action.ACCOUNT_REACTIVATE, target=target.username)


@transaction.atomic
def user_global_role_set(*, target: User, global_role: str, user: User) -> None:
    _require_manager(user)
    _refuse_self(target, user)
    if global_role not in User.GlobalRole.values:
        raise ValidationError({"global_role": _("Choose a valid role.")})
    if global_role and target.memberships.exists():
        raise ValidationError(
            {"global_role": _("Remove this person's country roles before giving a cross-country role.")}
        )
    old = target.global_role
    if old == global_role:
        return
    target.global_role = global_role
    target.save(update_fields=["global_role"])
    admin_access_sync(target)
    withdrawn = 0 if permissions.can_manage_accounts(target) else _invitations_of_withdraw(target)
    audit_record(
        user=user,
        action=AuditEvent.Action.ACCOUNT_ROLE_CHANGE,
        target=target.username,
        old=old,
        new=global_role,
        **({"invitations_withdrawn": withdrawn} if withdrawn else {}),
    )


@transaction.atomic
def user_membership_set(*, target: User, country: Country, role: str, user: User) -> None:
    """Gives a role for a country, changes it, or (role "") removes it."""
    _require_manager(user)
    _refuse_self(target, user)
    if target.global_role:
        raise ValidationError(
            {"role": _("Analysts and coordinators work across countries; they hold no country role.")}
        )
    current = Membership.objects.filter(user=target, country=country).first()
    old = current.role if current else ""
    if role == old:
        return
    if role:
        _check_role(country, role)
        membership_grant(user=target, country=country, role=role)
    elif current:
        current.delete()
    audit_record(
        user=user,
        action=AuditEvent.Action.ACCOUNT_ROLE_CHANGE,
        target=target.username,
        country=country.code,
        old=old,
        new=role,
    )


# A second-factor recovery link is bound to the devices it will remove: once they are gone (the
# link used, or the owner enrolled anew) it matches nothing and works no more.
TWO_FACTOR_RECOVERY_SALT = "accounts.two-factor-recovery"


def _devices_fingerprint(user: User) -> str:
    devices = sorted(
        [f"t{pk}" for pk in TOTPDevice.objects.filter(user=user).values_list("pk", flat=True)]
        + [f"s{pk}" for pk in StaticDevice.objects.filter(user=user).values_list("pk", flat=True)]
    )
    return hashlib.sha256(("|".join(devices) + user.password).encode()).hexdigest()


@transaction.atomic
def two_factor_recovery_link_send(*, target: User, user: User, link_for: Callable[[str], str]) -> bool:
    """For a lost phone: a coordinator sends the owner a single-use link, expiring after
    PASSWORD_RESET_TIMEOUT, that removes their authenticator and backup codes; they then sign
    in with their password and enrol a new one. Only the owner, at their own address, finishes
    it. Refused (ValidationError) for a person with no address or an inactive account."""
    _require_manager(user)
    _refuse_self(target, user)
    _require_reachable_owner(target)
    token = signing.dumps({"u": target.pk, "f": _devices_fingerprint(target)}, salt=TWO_FACTOR_RECOVERY_SALT)
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    with translation.override(language_of(target)):
        send_mail(
            _("Set up your second factor again for Allied Responses"),
            _(
                "A coordinator started the recovery of your second factor (a lost or replaced phone). "
                "Open this link to remove your old authenticator and backup codes; it works once and "
                "for %(hours)s hours:\n\n%(link)s\n\nThen sign in with your password and set up a new "
                "authenticator. If your phone is not lost, ignore this message."
            )
            % {"hours": hours, "link": link_for(token)},
            None,
            [target.email],
        )
    audit_record(user=user, action=AuditEvent.Action.TWO_FACTOR_LINK, target=target.username)
    return True


def two_factor_recovery_user(token: str) -> User | None:
    """The account a recovery link is for, if the link is genuine, unexpired and unused."""
    try:
        data = signing.loads(token, salt=TWO_FACTOR_RECOVERY_SALT, max_age=settings.PASSWORD_RESET_TIMEOUT)
    except signing.BadSignature:
        return None
    target = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if target is None or not secrets.compare_digest(data.get("f", ""), _devices_fingerprint(target)):
        return None
    return target


@transaction.atomic
def two_factor_recover(*, token: str) -> User:
    """The owner opened their recovery link: their authenticator and backup codes are removed,
    and they enrol a new one at their next sign-in (with their password)."""
    target = two_factor_recovery_user(token)
    if target is None:
        raise ValidationError(_("This link no longer works: it is used, expired or not genuine."))
    TOTPDevice.objects.filter(user=target).delete()
    StaticDevice.objects.filter(user=target).delete()
    audit_record(
        user=target, action=AuditEvent.Action.TWO_FACTOR_RESET, target=target.username, by_owner=True
    )
    return target


@transaction.atomic
def second_factor_check(*, user: User, code: str) -> tuple[Device | None, bool]:
    """The device whose code this is, if any, and whether a wrong guess is throttled right now.
    Six digits go to the authenticator, anything else to the backup codes: a wrong app code must
    not also throttle the backup codes a person may need next."""
    wanted = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    devices = [d for d in devices_for_user(user) if isinstance(d, wanted)]
    throttled = any(not d.verify_is_allowed()[0] for d in devices)
    for candidate in devices:
        if (device := verify_token(user, candidate.persistent_id, code)) is not None:
            return device, throttled
    return None, throttled


def two_factor_pending_device(user: User, device_id: int | None = None) -> TOTPDevice:
    """The authenticator being set up: unconfirmed until the person types a code from it.

    ``device_id`` is the one this browser session is setting up (the caller keeps it in the
    session): shown again on reload, so a scanned QR code stays valid. Any other session gets a
    new secret, and the earlier unconfirmed ones are dropped: whoever saw a secret with the password
    alone (before its owner enrolled) does not keep a working copy of the owner's authenticator."""
    device = (
        TOTPDevice.objects.filter(user=user, confirmed=False, pk=device_id).first() if device_id else None
    )
    if device is None:
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def two_factor_confirm(*, user: User, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirms the authenticator if ``token`` comes from it; returns fresh backup codes, or None
    if the code is wrong. Any older authenticator of the person is replaced. The device row is
    locked and read again: of two tabs confirming at once, the second is refused instead of
    replacing the backup codes the first has just shown."""
    device = TOTPDevice.objects.select_for_update().filter(pk=device.pk).first()
    if device is None or device.user_id != user.pk or device.confirmed:
        raise PermissionDenied
    if not device.verify_token(token):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _backup_codes_replace(user)
    audit_record(user=user, action=AuditEvent.Action.TWO_FACTOR_ENROL)
    return codes


def _backup_codes_replace(user: User) -> list[str]:
    """A new backup-code device: every session that passed the second factor with an old code
    ends with it (django-otp ties a session to its device)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    codes = [StaticToken.random_token() for _i in range(settings.TWO_FACTOR_BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def backup_codes_regenerate(*, user: User) -> list[str]:
    """New backup codes for a person who has used or lost theirs; the old ones stop working."""
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise PermissionDenied
    codes = _backup_codes_replace(user)
    audit_record(user=user, action=AuditEvent.Action.TWO_FACTOR_CODES)
    return codes


def _require_reachable_owner(target: User) -> None:
    """A recovery link goes to the owner's own address only: without one there is no recovery
    here (an inactive account is reactivated first)."""
    if not target.email or not target.is_active:
        raise ValidationError(_("This person has no address to send a link to, or is inactive."))


@transaction.atomic
def password_link_send(*, target: User, user: User, link_for: Callable[[str, str], str]) -> bool:
    """A coordinator starts a lost password's recovery: the owner gets Django's single-use,
    expiring reset link at their own address (PASSWORD_RESET_TIMEOUT), and only the owner can
    finish it. `link_for(uidb64, token)` makes the link's URL. Refused (ValidationError) for a
    person with no address or an inactive account."""
    _require_manager(user)
    _refuse_self(target, user)
    _require_reachable_owner(target)
    uid = urlsafe_base64_encode(force_bytes(target.pk))
    token = default_token_generator.make_token(target)
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    with translation.override(language_of(target)):
        send_mail(
            _("Choose a new password for Allied Responses"),
            _(
                "A coordinator started the recovery of your password. Open this link to choose a new "
                "one; it works once and for %(hours)s hours:\n\n%(link)s\n\nIf you did not lose your "
                "password, ignore this message: nothing changes until the link is used."
            )
            % {"hours": hours, "link": link_for(uid, token)},
            None,
            [target.email],
        )
    audit_record(user=user, action=AuditEvent.Action.PASSWORD_LINK, target=target.username)
    return True


def user_language_set(*, user: User, language: str) -> None:
    """Keeps the language a person chose, for every later session; "" follows the browser."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError(_("This language is not offered."))
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
