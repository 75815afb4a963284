"""Reads over responses. Anything a user sees goes through a selector scoped to that user."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.functional import Promise

from questionnaire.models import Field, Question, Round
from responses import permissions
from responses.models import Country, EditingSession, Response, ResponseVersion, ReturnRequest
from responses.versioning import delta_apply, snapshot_floor

if TYPE_CHECKING:  # accounts is above responses (DESIGN.md section 6): type hints only
    from accounts.models import User

# The list of countries changes only when `load_countries` runs; every countries field and every
# save's check of country codes reads it, so each process keeps it for a few minutes.
COUNTRIES_CACHE_SECONDS = 300
_countries_lock = threading.Lock()
# When read, and the list sorted by name in each language asked for so far.
_countries: tuple[float, dict[str, list[Country]]] | None = None


def countries_by_name() -> list[Country]:
    """Every country, by its name in the active language (shared between requests: read only)."""
    global _countries
    language = translation.get_language() or settings.LANGUAGE_CODE
    with _countries_lock:
        held = _countries
    if held is None or time.monotonic() - held[0] >= COUNTRIES_CACHE_SECONDS:
        held = (time.monotonic(), {})
    if language not in held[1]:
        # Each language's order once per read: a countries field is on every autosave of its page.
        countries = next(iter(held[1].values()), None) or list(Country.objects.all())
        held[1][language] = sorted(countries, key=lambda c: c.name)
        with _countries_lock:
            _countries = held
    return held[1][language]


def countries_cache_clear() -> None:
    global _countries
    with _countries_lock:
        _countries = None


def answer_values_for_fields(fields: list[Field]) -> dict[str, list[Any]]:
    """Every saved value (any version, draft or submitted) of the given fields, by field key.

    Registered as the questionnaire's reader of answers (questionnaire/usage.py, responses/apps.py),
    with which the loader and the admin refuse changes that would orphan answers; it is not for
    display, which must respect who may see drafts.
    """
    values: dict[str, list[Any]] = defaultdict(list)
    if not fields:
        return values
    keys = [f.key for f in fields]
    questionnaire_ids = {f.questionnaire_id for f in fields}
    # Snapshots hold values in `answers`, deltas in `changes.set` (a text edited in place was
    # set whole in an earlier version, so it is found there).
    versions = ResponseVersion.objects.filter(
        Q(answers__has_any_keys=keys) | Q(changes__set__has_any_keys=keys),
        response__round__questionnaire_id__in=questionnaire_ids,
    ).values_list("answers", "changes")
    for answers, changes in versions.iterator():
        held = answers or (changes or {}).get("set", {})
        for key in keys:
            if key in held and held[key] not in (None, "", [], {}):
                values[key].append(held[key])
    return values


def submitted_responses_in(*, round_ids: Iterable[int]) -> QuerySet[Response]:
    """The responses of these rounds that have a submitted version: what the comparisons and the
    reports read (responses.permissions.submitted_only; never a draft)."""
    return permissions.submitted_only(Response.objects.filter(round_id__in=list(round_ids)))


@dataclass
class ResponseRow:
    """One line of the response list: a response, or a country of the user that has none yet."""

    countries: list[Country]
    response: Response | None
    status_label: str | Promise  # a lazy choice label (translated when shown), or ""


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


def last_change_by_question(response: Response, questions: Iterable[Question]) -> dict[int, ResponseVersion]:
    """For each question number, the newest version that changed one of its fields. Read from
    what each save records on the response, in one query whatever the length of the history."""
    wanted = {q.number for q in questions}
    ids = {int(n): pk for n, pk in response.last_change_by_question.items() if int(n) in wanted}
    if not ids:
        return {}
    versions = ResponseVersion.objects.select_related("created_by").in_bulk(ids.values())
    return {n: versions[pk] for n, pk in ids.items() if pk in versions}


def versions_rebuilt(response: Response, numbers: Iterable[int]) -> dict[int, ResponseVersion]:
    """The versions numbered `numbers`, with `answers` and `metadata` rebuilt in full, in one
    query of at most SNAPSHOT_EVERY rows per version asked for. The rebuilt values live on the
    in-memory objects only (versions are never saved again)."""
    numbers = sorted({n for n in numbers if n > 0})
    if not numbers:
        return {}
    ranges = reduce(or_, (Q(number__gte=snapshot_floor(n), number__lte=n) for n in numbers))
    rows = (
        ResponseVersion.objects.filter(ranges, response_id=response.pk)
        .select_related("created_by")
        .order_by("number")
    )
    return {v.number: v for v in _rebuilt_in_order(rows) if v.number in numbers}


def _rebuilt_in_order(rows: Iterable[ResponseVersion]) -> Iterator[ResponseVersion]:
    answers: dict[str, Any] = {}
    metadata: dict[str, Any] = {}
    for version in rows:
        if version.is_snapshot:
            answers, metadata = dict(version.answers), dict(version.metadata)
        else:
            delta_apply(answers, metadata, version.changes or {})
            version.answers, version.metadata = dict(answers), dict(metadata)
        yield version


def versions_replayed(response: Response) -> Iterator[ResponseVersion]:
    """Every version of a response, oldest first, each rebuilt in full (for checks and exports
    that walk the whole history; pages use `versions_rebuilt`)."""
    rows = (
        ResponseVersion.objects.filter(response_id=response.pk)
        .select_related("created_by")
        .order_by("number")
    )
    return _rebuilt_in_order(rows.iterator(chunk_size=500))


def version_rebuilt(response: Response, number: int) -> ResponseVersion | None:
    return versions_rebuilt(response, [number]).get(number)


def editing_sessions_of(response: Response) -> QuerySet[EditingSession]:
    """A member's history: editing sessions, newest first (page it)."""
    return EditingSession.objects.filter(response=response).select_related("user").order_by("-first_number")


def session_versions(session: EditingSession) -> QuerySet[ResponseVersion]:
    """The saves of one editing session, newest first (page it)."""
    return (
        ResponseVersion.objects.filter(
            response_id=session.response_id, number__gte=session.first_number, number__lte=session.last_number
        )
        .defer("answers", "metadata", "changes")
        .select_related("created_by")
        .order_by("-number")
    )


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


def submissions_numbered(user: User, response: Response) -> list[ResponseVersion]:
    """What analysts and coordinators see of a history: the submissions only, oldest first,
    numbered 1, 2, 3 (`shown_number`) and each compared with the previous one
    (`shown_changes`), so neither the numbering nor the changed fields tell how many drafts were
    saved in between or what they touched. Submissions are full snapshots."""
    versions = list(
        permissions.versions_visible_to(user, response)
        .filter(kind=ResponseVersion.Kind.SUBMISSION)
        .select_related("created_by")
        .order_by("number")
    )
    previous: dict[str, Any] = {}
    for ordinal, version in enumerate(versions, start=1):
        version.shown_number = ordinal
        keys = set(previous) | set(version.answers)
        version.shown_changes = sorted(k for k in keys if previous.get(k) != version.answers.get(k))
        previous = version.answers
    return versions


def round_addressees(round: Round) -> list[Country]:
    """The countries a round was sent to, by name (every invitable country when it names none)."""
    countries = Country.objects.filter(is_invitable=True).order_by("name")
    if round.addressee_codes:
        countries = countries.filter(code__in=round.addressee_codes)
    return list(countries)
