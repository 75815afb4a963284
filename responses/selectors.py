"""Reads over responses. Anything a user sees goes through a selector scoped to that user."""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from accounts.models import User
from questionnaire.models import Field, Question, Round
from responses import permissions
from responses.models import Country, Response, ResponseVersion, ReturnRequest


def answer_values_for_fields(fields: list[Field]) -> dict[str, list[Any]]:
    """Every saved value (any version, draft or submitted) of the given fields, by field key.

    Used by the questionnaire loader to refuse changes that would orphan answers; it is not for
    display, which must respect who may see drafts.
    """
    values: dict[str, list[Any]] = defaultdict(list)
    if not fields:
        return values
    keys = [f.key for f in fields]
    questionnaire_ids = {f.questionnaire_id for f in fields}
    versions = ResponseVersion.objects.filter(
        response__round__questionnaire_id__in=questionnaire_ids,
        answers__has_any_keys=keys,
    ).values_list("answers", flat=True)
    for answers in versions.iterator():
        for key in keys:
            if key in answers and answers[key] not in (None, "", [], {}):
                values[key].append(answers[key])
    return values


@dataclass
class ResponseRow:
    """One line of the response list: a response, or a country of the user that has none yet."""

    countries: list[Country]
    response: Response | None
    status_label: str


def response_rows_for(user: User, round: Round) -> list[ResponseRow]:
    visible = (
        permissions.responses_visible_to(user)
        .filter(round=round)
        .select_related("submitted_version")
        .prefetch_related("authors")
        .order_by("pk")
    )
    reader = permissions.is_cross_country_reader(user)
    rows = []
    answering: set[int] = set()
    for response in visible:
        authors = list(response.authors.all())  # countries are ordered by name
        answering.update(c.pk for c in authors)
        status = Response.Status.SUBMITTED.label if reader else response.get_status_display()
        rows.append(ResponseRow(countries=authors, response=response, status_label=status))
    if not reader:
        for country in permissions.countries_of(user).order_by("name"):
            if country.pk not in answering:
                rows.append(ResponseRow(countries=[country], response=None, status_label=""))
    return sorted(rows, key=lambda row: row.countries[0].name)


def response_for_country(*, round: Round, country: Country) -> Response | None:
    """The response a country answers in a round (alone or jointly), if it was started."""
    return Response.objects.filter(round=round, author_links__country=country).first()


def last_change_by_question(response: Response, questions: list[Question]) -> dict[int, ResponseVersion]:
    """For each question number, the newest version that changed one of its fields."""
    keys_by_question = {q.number: {f.key for f in q.fields.all()} for q in questions}
    latest: dict[int, ResponseVersion] = {}
    versions = response.versions.select_related("created_by").order_by("-number")
    for version in versions:
        changed = set(version.changed_fields)
        for number, keys in keys_by_question.items():
            if number not in latest and changed & keys:
                latest[number] = version
        if len(latest) == len(keys_by_question):
            break
    return latest


def open_return(response: Response) -> ReturnRequest | None:
    """The return for revision the country is working on, if the response was returned and not
    submitted again since."""
    latest = response.returns.select_related("returned_by", "returned_version").first()
    if latest is None or response.submitted_version_id != latest.returned_version_id:
        return None
    if response.status == Response.Status.SUBMITTED:
        return None
    return latest


def last_return(response: Response) -> ReturnRequest | None:
    return response.returns.select_related("returned_version").first()


def versions_numbered_for(user: User, response: Response) -> list[ResponseVersion]:
    """The versions a user may see, oldest first, each with `shown_number` and `shown_changes`.

    Members see every version by its number and what each save changed. Others see submissions
    only, numbered 1, 2, 3 and compared with the previous submission, so neither the numbering
    nor the changed fields tell how many drafts were saved in between or what they touched.
    """
    versions = list(
        permissions.versions_visible_to(user, response).select_related("created_by").order_by("number")
    )
    member = permissions.sees_drafts(user, response)
    previous: dict[str, Any] = {}
    for ordinal, version in enumerate(versions, start=1):
        version.shown_number = version.number if member else ordinal
        if member:
            version.shown_changes = list(version.changed_fields)
        else:
            keys = set(previous) | set(version.answers)
            version.shown_changes = sorted(k for k in keys if previous.get(k) != version.answers.get(k))
            previous = version.answers
    return versions
