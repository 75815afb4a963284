"""The comparison: submitted versions side by side, with summaries. A fixed number of queries
whatever the number of countries and fields (pinned by tests with 5 and 50 countries)."""

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from questionnaire.answers import declaration
from questionnaire.models import Field, Question, Round
from questionnaire.selectors import questions_with_fields
from reports.aggregates import FieldSummary, summarise
from reports.models import Report, ReportSource
from responses import permissions
from responses.display import AnswerFormatter, text_languages_of
from responses.models import Country, Response, ResponseAuthor, ResponseVersion
from responses.selectors import round_addressees, submitted_responses_in

# The decision makers' views read these fields of the US questionnaire; a questionnaire
# without them shows those views as not applicable.

COUNTRY_GROUPS = {
    "all": _("All responding countries"),
    "eu": _("EU members"),
    "nato": _("NATO members"),
    "non_eu": _("Not in the EU"),
    "troops": _("Offering troops"),
    "not_answered": _("Not yet answered"),
}


@dataclass
class Column:
    """One submitted response: a country, or several answering jointly."""

    response: Response
    version: ResponseVersion
    countries: list[Country]

    @property
    def label(self) -> str:
        return ", ".join(c.name for c in self.countries)

    @property
    def codes(self) -> str:
        return "+".join(c.code for c in self.countries)


@dataclass
class Row:
    field: Field
    cells: list[str]  # as read: an answer, or a declared non-answer with its reason
    raw: list[Any]  # the answers, None where a response declared a non-answer (see `declared`)
    summary: FieldSummary
    # dataclasses.field spelled out: in this class body `field` names the attribute above.
    declared: list[dict[str, str] | None] = dataclasses.field(default_factory=list)
    # For free text: the language of the page each answer was written on (None if unknown).
    languages: list[str | None] = dataclasses.field(default_factory=list)

    @property
    def cells_with_language(self) -> list[tuple[str, str | None]]:
        return list(zip(self.cells, self.languages or [None] * len(self.cells), strict=True))


@dataclass
class QuestionBlock:
    question: Question
    rows: list[Row] = field(default_factory=list)


@dataclass
class Comparison:
    round: Round
    columns: list[Column]
    blocks: list[QuestionBlock]
    formatter: AnswerFormatter
    not_answered: list[Country]
    group: str = "all"
    # The addressees in the comparison's scope (report countries, membership groups); None for
    # a filter that has no such base ("offering troops").
    addressee_count: int | None = None

    def row(self, key: str) -> Row | None:
        return next((row for block in self.blocks for row in block.rows if row.field.key == key), None)

    def summary(self, key: str) -> FieldSummary | None:
        row = self.row(key)
        return row.summary if row else None

    def rows_with_role(self, role: str) -> list[Row]:
        """The rows of the fields the definition gives this role, in the questionnaire's order."""
        return [row for block in self.blocks for row in block.rows if role in row.field.decision_roles]

    def row_with_role(self, role: str) -> Row | None:
        return next(iter(self.rows_with_role(role)), None)


def submitted_responses(round: Round) -> QuerySet[Response]:
    return (
        submitted_responses_in(round_ids=[round.pk])
        .select_related("submitted_version")
        .prefetch_related(Prefetch("authors", queryset=Country.objects.order_by("name")))
        .order_by("pk")
    )


def countries_with_submission(round: Round) -> list[Country]:
    """The countries whose response in the round has a submitted version, by name."""
    authors = ResponseAuthor.objects.filter(response__in=submitted_responses_in(round_ids=[round.pk]))
    return sorted(Country.objects.filter(pk__in=authors.values("country_id")), key=lambda c: c.name)


def _country_in_group(country: Country, group: str) -> bool:
    if group == "eu":
        return country.is_eu_member
    if group == "nato":
        return country.is_nato_member
    if group == "non_eu":
        return not country.is_eu_member
    return group == "all"


def _in_group(column: Column, group: str, troops_keys: list[str]) -> bool:
    if group == "non_eu":
        return not any(c.is_eu_member for c in column.countries)
    if group == "troops":  # offering troops: the field that holds the troops_offered role
        offers = [column.version.answers.get(key) or {} for key in troops_keys]
        return any(isinstance(offer, dict) and offer.get("value") for offer in offers)
    return any(_country_in_group(c, group) for c in column.countries)


def _keys_with_role(questions: list[Question], role: str) -> list[str]:
    return [f.key for q in questions for f in q.fields.all() if role in f.decision_roles]


def comparison_build(
    *,
    round: Round,
    versions: Iterable[tuple[Response, ResponseVersion]] | None = None,
    group: str | list[str] = "all",
    question_numbers: list[int] | None = None,
    questions: list[Question] | None = None,
    asked_for: list[str] | None = None,
) -> Comparison:
    """Builds the comparison from the current submitted versions, or from given (response,
    version) pairs: a report's snapshot, already limited to its countries. A caller that has
    already loaded the round's questions_with_fields passes them, so they are not read again.
    `asked_for`: the country codes a report was asked for, if it names some."""
    if versions is None:
        # Submitted responses, each with its submitted version.
        versions = [(r, cast(ResponseVersion, r.submitted_version)) for r in submitted_responses(round)]
    if questions is None:
        questions = list(questions_with_fields(round))
    troops_keys = _keys_with_role(questions, "troops_offered")
    columns = [Column(response=r, version=v, countries=list(r.authors.all())) for r, v in versions]
    columns.sort(key=lambda c: c.label)
    answering = {country.pk for column in columns for country in column.countries}
    # Only the countries the round was sent to can be late; a report asked for some countries
    # names only those.
    in_scope = [c for c in round_addressees(round) if not asked_for or c.code in asked_for]
    not_answered = [c for c in in_scope if c.pk not in answering]
    # Groups combine: members of any membership group chosen, and offering troops if that is
    # chosen as well ("EU, offering troops"; "EU or NATO").
    groups = [group] if isinstance(group, str) else [g for g in group if g in COUNTRY_GROUPS] or ["all"]
    if "not_answered" in groups:
        columns, group = [], "not_answered"
    else:
        membership = [g for g in groups if g in ("eu", "nato", "non_eu")]
        if membership:
            columns = [c for c in columns if any(_in_group(c, g, troops_keys) for g in membership)]
        if membership:
            in_scope = [c for c in in_scope if any(_country_in_group(c, g) for g in membership)]
        if "troops" in groups:
            columns = [c for c in columns if _in_group(c, "troops", troops_keys)]
        group = ",".join(groups)
    # A joint response counts its countries among the addressees; a filter of what was
    # answered ("offering troops") has no addressee base.
    addressee_count = None if "troops" in groups or "not_answered" in groups else len(in_scope)

    formatter = AnswerFormatter(questions)
    if question_numbers:
        questions = [q for q in questions if q.number in question_numbers]
    blocks = []
    for question in questions:
        block = QuestionBlock(question=question)
        for field_obj in question.fields.all():
            stored = [column.version.answers.get(field_obj.key) for column in columns]
            declared = [declaration(value) for value in stored]
            raw = [None if d else value for value, d in zip(stored, declared, strict=True)]
            options = (
                [(o.key, o.label) for o in field_obj.taxonomy.options.all()] if field_obj.taxonomy else []
            )
            if field_obj.field_type == Field.FieldType.COUNTRIES:
                options = []
            labelled = [(column.label, value) for column, value in zip(columns, raw, strict=True)]
            summary = summarise(
                field_obj,
                labelled,
                options,
                declared=[(c.label, d["declared"]) for c, d in zip(columns, declared, strict=True) if d],
                addressees=addressee_count,
            )
            if summary.options is not None and field_obj.field_type == Field.FieldType.COUNTRIES:
                for count in summary.options:
                    count.label = formatter.country_names.get(count.key, count.key)
                summary.options.sort(key=lambda c: (-c.count, c.label))
            block.rows.append(
                Row(
                    field=field_obj,
                    cells=[formatter.text(field_obj, value) for value in stored],
                    raw=raw,
                    summary=summary,
                    declared=declared,
                    languages=[text_languages_of(c.version.metadata).get(field_obj.key) for c in columns]
                    if field_obj.field_type == Field.FieldType.TEXT
                    else [],
                )
            )
        blocks.append(block)
    return Comparison(
        round=round,
        columns=columns,
        blocks=blocks,
        formatter=formatter,
        not_answered=not_answered,
        group=group,
        addressee_count=addressee_count,
    )


# -- reports ---------------------------------------------------------------------------------------


def reports_visible_to(user: User) -> QuerySet[Report]:
    """Analysts and coordinators see every report; country staff see none."""
    if not permissions.is_cross_country_reader(user):
        return Report.objects.none()
    return Report.objects.select_related("round__questionnaire", "requested_by")


def report_changed_countries(reports: list[Report]) -> dict[int, list[str]]:
    """For each built report, the countries whose current submission it does not include: a
    newer version of a response it used, or a first submission in its scope since it was built.
    That is what makes a report stale. Two queries for any number of reports."""
    built = [r for r in reports if r.status == Report.Status.DONE]
    if not built:
        return {}
    used: dict[int, dict[int, int]] = {}
    for report_id, response_id, version_id in ReportSource.objects.filter(report__in=built).values_list(
        "report_id", "response_id", "version_id"
    ):
        used.setdefault(report_id, {})[response_id] = version_id
    current = submitted_responses_in(round_ids={r.round_id for r in built}).prefetch_related("authors")
    changed: dict[int, list[str]] = {}
    for report in built:
        names: list[str] = []
        scope = set(report.country_codes)
        for response in current:
            if response.round_id != report.round_id:
                continue
            authors = list(response.authors.all())
            in_scope = not scope or bool(scope & {c.code for c in authors})
            seen = used.get(report.pk, {}).get(response.pk)
            if in_scope and seen != response.submitted_version_id:
                names.extend(c.name for c in authors)
        changed[report.pk] = sorted(names)
    return changed


def answer_status(round: Round) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Each addressee's answer status (and any other country's that answered of its own accord),
    with how many countries have each: for coordinators, never a count of filled fields."""
    responses = (
        Response.objects.filter(round=round)
        .select_related("submitted_version__created_by")
        .prefetch_related("authors")
    )
    by_country: dict[int, Response] = {}
    response: Response | None  # below, also a country's missing response
    for response in responses:
        for country in response.authors.all():
            by_country[country.pk] = response
    lines: list[dict[str, Any]] = []
    # The round's addressees, and any other country that answered of its own accord.
    addressees = round_addressees(round)
    volunteers = sorted(
        {c for r in responses for c in r.authors.all()} - set(addressees), key=lambda c: c.name
    )
    for country in [*addressees, *volunteers]:
        response = by_country.get(country.pk)
        lines.append(
            {
                "country": country,
                "response": response,
                "status": response.get_status_display() if response else _("Not started"),
                "joint": response is not None and len(response.authors.all()) > 1,
            }
        )
    counts: dict[str, int] = {}
    for line in lines:
        counts[line["status"]] = counts.get(line["status"], 0) + 1
    return lines, counts
