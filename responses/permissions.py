"""Who may do what to which response. Every view, task and service asks here; none re-implements
a rule. Each rule exists twice where lists need it: as a check for one object and as a queryset.

- Members of an author country see the response in every state, with its full history.
- Analysts and coordinators see only responses with a submitted version, and only submitted
  versions of them: never a draft, never which fields a draft has filled.
- Drafters and approvers edit; only approvers submit; only coordinators return a submission.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeGuard, cast

from django.db import connection
from django.db.models import CharField, Field, Model, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from questionnaire.selectors import round_closed_reason
from responses.models import Country, Membership, Response, ResponseAuthor, ResponseVersion

if TYPE_CHECKING:  # accounts is above responses (DESIGN.md section 6): type hints only
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

EDITING_ROLES = (Membership.Role.DRAFTER, Membership.Role.APPROVER)


def _active(user: User | AnonymousUser) -> TypeGuard[User]:
    # True for a signed-in User only: an anonymous visitor is never authenticated.
    return user.is_authenticated and user.is_active


def is_cross_country_reader(user: User | AnonymousUser) -> bool:
    """Analysts and coordinators read submitted responses of every country."""
    return _active(user) and (user.is_analyst or user.is_coordinator)


def countries_of(user: User, *, roles: tuple[str, ...] | None = None) -> QuerySet[Country]:
    """The countries a user acts for (optionally only in some roles)."""
    if not _active(user):
        return Country.objects.none()
    memberships = Membership.objects.filter(user=user)
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return Country.objects.filter(pk__in=memberships.values("country_id"))


def submitted_only(responses: QuerySet[Response]) -> QuerySet[Response]:
    """The draft rule: of these responses, those with a submitted version, the only ones anyone
    outside their author countries reads (analysts, coordinators, the reports)."""
    return responses.filter(submitted_version__isnull=False)


def responses_visible_to(user: User) -> QuerySet[Response]:
    if not _active(user):
        return Response.objects.none()
    if is_cross_country_reader(user):
        return submitted_only(Response.objects.all())
    member_of = Membership.objects.filter(user=user).values("country_id")
    # A subquery, not a join + DISTINCT: DISTINCT would compare whole rows, answers included.
    authored = ResponseAuthor.objects.filter(country_id__in=member_of).values("response_id")
    return Response.objects.filter(pk__in=authored)


# Each role holds the rights of those after it (an approver also drafts, a drafter also reads),
# so a user's strongest role on a response decides every check.
ROLES_STRONGEST_FIRST = (Membership.Role.APPROVER, Membership.Role.DRAFTER, Membership.Role.VIEWER)
STRONGEST_ROLE = "user_strongest_role"


def _column(model: type[Model], name: str) -> str:
    """A concrete field's column. (For the type checker: get_field may return a relation too,
    and Field.column is optional, None for a field without a column.)"""
    return cast(str, cast("Field[Any, Any]", model._meta.get_field(name)).column)


def strongest_role_sql(user: User) -> tuple[str, list[Any]]:
    """The user's strongest role on the response of the enclosing query (its table unaliased), as
    an SQL subquery and its parameters: one membership through any author country, strongest
    first. Hand-written, not built with the ORM: the ORM took longer to compile it (about 2 ms)
    than the database takes to run it, on the autosave's locking read. (Three EXISTS, one per
    role, tripled its planning time.)"""
    quote = connection.ops.quote_name
    membership, author = Membership._meta, ResponseAuthor._meta
    response_table = quote(Response._meta.db_table)
    column = {
        name: quote(_column(model, name))
        for model, name in ((Membership, "role"), (Membership, "user"), (ResponseAuthor, "response"))
    }
    country_m = quote(membership.get_field("country").column)
    country_a = quote(author.get_field("country").column)
    strength = " ".join("WHEN %s THEN " + str(n) for n in range(len(ROLES_STRONGEST_FIRST)))
    sql = (
        f"SELECT m.{column['role']} FROM {quote(membership.db_table)} m "  # noqa: S608 (names only)
        f"JOIN {quote(author.db_table)} a ON a.{country_a} = m.{country_m} "
        f"WHERE a.{column['response']} = {response_table}.{quote(cast(str, Response._meta.pk.column))} "
        f"AND m.{column['user']} = %s "
        f"ORDER BY CASE m.{column['role']} {strength} ELSE {len(ROLES_STRONGEST_FIRST)} END LIMIT 1"
    )
    return sql, [user.pk, *ROLES_STRONGEST_FIRST]


def with_roles_of(user: User, responses: QuerySet[Response]) -> QuerySet[Response]:
    """`responses`, each annotated with the user's strongest role on it (through any author
    country), as one small subquery of the query that reads them: pass each to
    `remember_roles`."""
    if not _active(user):
        return responses
    sql, params = strongest_role_sql(user)
    # Names from the models and values as parameters: nothing a user typed is in the SQL.
    role = RawSQL(sql, params, output_field=CharField())  # noqa: S611
    return responses.annotate(**{STRONGEST_ROLE: role})


def responses_with_roles_of(user: User) -> QuerySet[Response]:
    """`responses_visible_to(user)` with the user's strongest role on each: one query answers
    both "may see it" and "may edit it"."""
    return with_roles_of(user, responses_visible_to(user))


def remember_roles(response: Response, user: User) -> Response:
    """Keeps the role read by `with_roles_of` on the object, for this user."""
    role = getattr(response, STRONGEST_ROLE, None)
    response.__dict__.setdefault("_roles_by_user", {})[user.pk] = frozenset({role} if role else ())
    return response


def roles_on(user: User, response: Response) -> frozenset[str]:
    """The user's roles on a response (through any of its author countries), read once per
    response object: a page asks several questions of them. Read with `with_roles_of`, it holds
    the strongest role only, which decides the same checks."""
    if not _active(user):
        return frozenset()
    held: dict[int, frozenset[str]] = response.__dict__.setdefault("_roles_by_user", {})
    if user.pk not in held:
        held[user.pk] = frozenset(
            Membership.objects.filter(
                user=user, country__in=response.author_links.values("country_id")
            ).values_list("role", flat=True)
        )
    return held[user.pk]


def is_member_of_response(user: User, response: Response, *, roles: tuple[str, ...] | None = None) -> bool:
    held = roles_on(user, response)
    return bool(held) if roles is None else bool(held & set(roles))


def sees_drafts(user: User, response: Response) -> bool:
    return is_member_of_response(user, response)


def versions_visible_to(user: User, response: Response) -> QuerySet[ResponseVersion]:
    versions = ResponseVersion.objects.filter(response=response)
    if sees_drafts(user, response):
        return versions
    if is_cross_country_reader(user) and response.submitted_version_id:
        return versions.filter(kind=ResponseVersion.Kind.SUBMISSION)
    return versions.none()


def version_shown_to(user: User, response: Response) -> ResponseVersion | None:
    """The version a user reads: members the newest (draft or submitted), others the submitted."""
    if sees_drafts(user, response):
        return response.current_version
    return response.submitted_version


def can_edit_response(user: User, response: Response) -> bool:
    return is_member_of_response(user, response, roles=EDITING_ROLES)


def answers_fixed_reason(response: Response) -> str | None:
    """Why nobody may change the response's answers now, in words for the page: its round takes
    no answers (Round.is_accepting_answers), or it is submitted. None while they may."""
    if not response.round.is_accepting_answers:
        return round_closed_reason(response.round)
    if response.status == Response.Status.SUBMITTED:
        return _("A submitted response cannot be changed unless the coordinator returns it for revision.")
    return None


def can_change_answers(user: User, response: Response) -> bool:
    """An editor of an author country, while the round takes answers and it is not submitted."""
    return can_edit_response(user, response) and answers_fixed_reason(response) is None


def can_submit_response(user: User, response: Response) -> bool:
    return is_member_of_response(user, response, roles=(Membership.Role.APPROVER,))


def can_start_response_for(user: User, country: Country) -> bool:
    return countries_of(user, roles=EDITING_ROLES).filter(pk=country.pk).exists()


def can_return_response(user: User, response: Response) -> bool:
    return _active(user) and user.is_coordinator and response.status == Response.Status.SUBMITTED


def can_configure_joint_responses(user: User) -> bool:
    return _active(user) and user.is_coordinator


def can_see_answer_status(user: User) -> bool:
    """Coordinators follow who has answered: each country's status (not started, draft,
    submitted, returned), never its draft's content or how much of it is filled."""
    return _active(user) and user.is_coordinator
