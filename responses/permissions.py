"""Who may do what to which response. Every view, task and service asks here; none re-implements
a rule. Each rule exists twice: as a check for one object and as a queryset filter for lists."""

from django.db.models import Q, QuerySet

from accounts.models import User
from responses.models import Country, Membership, Response

EDITING_ROLES = (Membership.Role.DRAFTER, Membership.Role.APPROVER)


def countries_of(user: User, *, roles: tuple[str, ...] | None = None) -> QuerySet[Country]:
    """The countries a user acts for (optionally only in some roles)."""
    if not user.is_authenticated:
        return Country.objects.none()
    memberships = Membership.objects.filter(user=user)
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return Country.objects.filter(pk__in=memberships.values("country_id"))


def responses_visible_to(user: User) -> QuerySet[Response]:
    """Country members see their own countries' responses in every state; analysts and
    coordinators see only responses that have a submitted version; nobody else sees any."""
    if not user.is_authenticated or not user.is_active:
        return Response.objects.none()
    if user.is_analyst or user.is_coordinator:
        return Response.objects.filter(submitted_version__isnull=False)
    own = Q(author_links__country__in=countries_of(user))
    return Response.objects.filter(own).distinct()


def can_edit_response(user: User, response: Response) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and response.author_links.filter(country__in=countries_of(user, roles=EDITING_ROLES)).exists()
    )


def can_submit_response(user: User, response: Response) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and response.author_links.filter(
            country__in=countries_of(user, roles=(Membership.Role.APPROVER,))
        ).exists()
    )
