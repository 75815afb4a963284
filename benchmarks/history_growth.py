"""A long history: does any page, the autosave or the storage per save grow with the number of
saves? One draft response is brought to 100, 1,000 and 10,000 versions through the real save
service (several drafters of the country taking turns, each save changing one field, mostly a
comments text typed a few words at a time), and at each stage the member pages, one autosave over
HTTP and the analysts' comparison are measured: median server time and SQL queries, through
Django's full middleware stack. Prints figures; asserts nothing but that requests answer 200.

The comparison shows submitted versions only, so a second response of another country gets the
same kind of history: its approver submits it at each stage and the coordinator returns it
before its next saves. The first response stays a draft for the member pages.

    python benchmarks/history_growth.py [--stages 100,1000,10000] [--runs 15] [--sql-dir DIR]
"""

import argparse
import math
import random
import re
import statistics
import time
from pathlib import Path
from typing import Any

from _setup import describe_database, drop, test_database

from django.conf import settings
from django.db import DatabaseError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from questionnaire.loader import DEFINITIONS_DIR, questionnaire_load
from questionnaire.models import Field
from questionnaire.structure import QuestionnaireStructure, questionnaire_structure
from coordination.demo import demo_seed
from responses.forms import QuestionForm
from responses.models import Country, EditingSession, Membership, Response
from responses.selectors import countries_by_name
from responses.services import (
    countries_load,
    membership_grant,
    response_return,
    response_save_draft,
    response_submit,
)
from responses.views import HISTORY_SESSIONS_PER_PAGE
from tests.accounts.factories import AnalystFactory, UserFactory

DRAFTERS_PER_COUNTRY = 4
RUN_LENGTH = (10, 40)  # consecutive saves by one drafter: one editing session
TEXT_TARGET = (1200, 1500)  # a comments text is typed up to about this length, then revised
# Transaction control is not a query of the page: left out of the counts.
TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE)
SIZE_TABLES = ("responses_responseversion", "responses_editingsession", "audit_auditevent")
PHRASES = (
    "the government would contribute subject to parliamentary approval and a clear mandate from "
    "partners, with rotation every six months, logistics support, air policing, training of "
    "Ukrainian forces, and a review of the commitment after the first year; costs are shared "
    "among contributors, national caveats apply, the deployment depends on a durable ceasefire, "
    "coordination with EU and NATO allies, a US backstop, and guarantees for force protection"
)
WORDS = tuple(PHRASES.split())


# -- the history ---------------------------------------------------------------------------------


class Drafting:
    """Several drafters of one country taking turns on one response, each save one field."""

    def __init__(
        self, response: Response, drafters: list[User], structure: QuestionnaireStructure, seed: str
    ):
        self.response_pk = response.pk
        self.drafters = drafters
        self.rng = random.Random(seed)  # noqa: S311 - a repeatable history, not a secret
        self.answers = dict(response.answers)
        self.number = response.current_number
        fields = list(structure.fields_by_key.values())
        controllers = {f.show_when_field_id for f in fields if f.show_when_field_id}
        # Fields always shown and controlling nothing: a change never hides or drops an answer.
        plain = [f for f in fields if f.show_when_field_id is None and f.pk not in controllers]
        self.texts = [
            f for f in plain if f.field_type == Field.FieldType.TEXT and f.key.endswith("_comments")
        ]
        # Mostly question 1's and question 3's comments.
        self.text_weights = [3 if f.key in ("q1_comments", "q3_comments") else 1 for f in self.texts]
        self.choices = [f for f in plain if f.field_type == Field.FieldType.CHOICE]
        self.numbers = [f for f in plain if f.field_type in (Field.FieldType.INTEGER, Field.FieldType.MONTHS)]
        self.option_keys = structure.option_keys
        self.targets = {f.key: self.rng.randint(*TEXT_TARGET) for f in self.texts}
        self.drafter = self.rng.choice(drafters)
        self.run_left = self.rng.randint(*RUN_LENGTH)
        self.text_field = self._pick_text()

    def _pick_text(self) -> Field:
        return self.rng.choices(self.texts, weights=self.text_weights)[0]

    def _turn(self) -> None:
        if self.run_left <= 0:
            self.drafter = self.rng.choice([d for d in self.drafters if d != self.drafter])
            self.run_left = self.rng.randint(*RUN_LENGTH)
            self.text_field = self._pick_text()
        self.run_left -= 1

    def _words(self, low: int = 1, high: int = 4) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(low, high)))

    def _text_change(self, old: str, target: int) -> str:
        if len(old) < target:
            return f"{old} {self._words()}" if old else self._words().capitalize()
        # Long enough: revised in place (a word replaced, a phrase inserted or cut).
        words = old.split(" ")
        at = self.rng.randrange(len(words))
        roll = self.rng.random()
        if roll < 0.4:
            words[at] = self.rng.choice([w for w in WORDS if w != words[at]])
        elif roll < 0.7 or len(words) < 30:
            words[at:at] = self._words(2, 6).split(" ")
        else:
            del words[at : at + self.rng.randint(3, 12)]
        new = " ".join(words)
        return new if new != old else f"{old} {self._words()}"

    def _change(self) -> dict[str, Any]:
        roll = self.rng.random()
        if roll < 0.85 or not (self.choices or self.numbers):
            if self.rng.random() < 0.05:
                self.text_field = self._pick_text()  # moves to another box within the session
            key = self.text_field.key
            return {key: self._text_change(self.answers.get(key) or "", self.targets[key])}
        if roll < 0.95 and self.choices:
            field = self.rng.choice(self.choices)
            keys = sorted(self.option_keys[field.taxonomy_id] - {self.answers.get(field.key)})
            return {field.key: self.rng.choice(keys)}
        field = self.rng.choice(self.numbers or self.choices)
        low, high = field.min_value or 0, field.max_value or 1000
        old = self.answers.get(field.key)
        if field.field_type == Field.FieldType.MONTHS:
            return {field.key: self.rng.choice([n for n in range(low, min(high, 120) + 1) if n != old])}
        old_value = (old or {}).get("value")
        value = self.rng.choice(
            [n for n in range(low, high + 1, max(1, (high - low) // 200)) if n != old_value]
        )
        kind = self.rng.choice(["official", "estimate"]) if field.has_figure_kind else None
        return {field.key: {"value": value, "figure_kind": kind}}

    def save_until(self, target: int, label: str) -> None:
        start, first = time.perf_counter(), self.number
        step = max(100, (target - first) // 10)
        while self.number < target:
            self._turn()
            result = response_save_draft(
                response=self.response_pk,
                user=self.drafter,
                answers=self._change(),
                base_version=self.number,
            )
            self.answers, self.number = result.answers, result.version.number
            if (self.number - first) % step == 0 or self.number == target:
                done = self.number - first
                per_save = (time.perf_counter() - start) * 1000 / max(1, done)
                print(
                    f"  {label}: version {self.number:,} of {target:,} ({per_save:.1f} ms a save)", flush=True
                )


# -- measuring -------------------------------------------------------------------------------------


def table_bytes() -> dict[str, int] | None:
    """Size of each table with its indexes and TOAST, in bytes (None where not measurable)."""
    tables = (*SIZE_TABLES, "responses_response")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return {t: _one(cursor, "SELECT pg_total_relation_size(%s)", [t]) for t in tables}
        if connection.vendor == "sqlite":
            try:
                cursor.execute(
                    "SELECT m.tbl_name, SUM(s.pgsize) FROM dbstat s JOIN sqlite_master m ON m.name = s.name "
                    "GROUP BY m.tbl_name"
                )
            except DatabaseError:
                return None
            sizes = dict(cursor.fetchall())
            return {t: sizes.get(t, 0) for t in tables}
    return None


def row_churn() -> list[str]:
    """PostgreSQL's counters for the rows every save updates in place: live and dead tuples,
    the share of HOT updates and how often autovacuum ran."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        if connection.pg_version >= 150000:  # the counters are otherwise flushed up to a second late
            cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute(
            "SELECT relname, n_live_tup, n_dead_tup, n_tup_upd, n_tup_hot_upd, autovacuum_count "
            "FROM pg_stat_user_tables WHERE relname IN ('responses_response', 'responses_editingsession') "
            "ORDER BY relname"
        )
        rows = cursor.fetchall()
    return [
        f"{name}: {live} live / {dead} dead tuples, "
        f"{hot * 100 // max(1, updated)}% of {updated} updates HOT, autovacuumed {vacuums}x"
        for name, live, dead, updated, hot, vacuums in rows
    ]


def _one(cursor: Any, sql: str, params: list[Any]) -> int:
    cursor.execute(sql, params)
    return cursor.fetchone()[0]


def counted(queries: CaptureQueriesContext) -> list[dict[str, str]]:
    return [q for q in queries.captured_queries if not TRANSACTION_CONTROL.match(q["sql"])]


class Measure:
    def __init__(self, runs: int, sql_dir: Path | None):
        self.runs = runs
        self.sql_dir = sql_dir
        # measure name -> stage -> (median ms, [query counts])
        self.figures: dict[str, dict[int, tuple[float, list[int]]]] = {}

    def record(self, name: str, stage: int, timings: list[float], counts: list[int], last: Any) -> None:
        self.figures.setdefault(name, {})[stage] = (statistics.median(timings), counts)
        if self.sql_dir:
            slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
            lines = [f"-- {q['time']}s\n{q['sql']};" for q in counted(last)]
            (self.sql_dir / f"{stage:06d}-{slug}.sql").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def get(self, name: str, stage: int, client: Client, url: str) -> None:
        answer = client.get(url)  # warm up
        assert answer.status_code == 200, (url, answer.status_code)
        timings, counts = [], []
        for _ in range(self.runs):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                answer = client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
            assert answer.status_code == 200, (url, answer.status_code)
            counts.append(len(counted(queries)))
        self.record(name, stage, timings, counts, queries)

    def autosave(self, name: str, stage: int, client: Client, response: Response, drafting: Drafting) -> None:
        """Autosaves of question 1 as the page posts them: every input of the question, one text
        a little longer each time."""
        response.refresh_from_db()
        structure = questionnaire_structure(response.round.questionnaire_id)
        question = structure.question(1)
        countries = (
            countries_by_name()
            if any(f.field_type == Field.FieldType.COUNTRIES for f in question.fields.all())
            else []
        )
        url = reverse("responses:autosave", args=[response.pk, 1])
        number, answers = response.current_number, dict(response.answers)
        timings, counts = [], []
        for run in range(self.runs + 1):  # the first warms up
            form = QuestionForm(question=question, answers=answers, countries=countries)
            data = form.widget_values(answers, {f.key for f in question.fields.all()})
            text = f"{data.get('q1_comments', '')} {drafting._words()}"
            answers["q1_comments"] = data["q1_comments"] = text
            data["base_version"] = number
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                answer = client.post(url, data, HTTP_X_REQUESTED_WITH="fetch")
                elapsed = (time.perf_counter() - start) * 1000
            assert answer.status_code == 200, answer.content[:300]
            number = answer.json()["version"]
            if run:
                timings.append(elapsed)
                counts.append(len(counted(queries)))
        self.record(name, stage, timings, counts, queries)
        drafting.answers, drafting.number = Response.objects.get(pk=response.pk).answers, number


# -- report ----------------------------------------------------------------------------------------


def ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}" if base else "-"


def print_tables(measure: Measure, stages: list[int]) -> None:
    first = stages[0]
    width = max(len(name) for name in measure.figures) + 2
    head = "".join(f"{s:>10,}" for s in stages) + "".join(f"{'x' + format(s, ','):>10}" for s in stages[1:])
    print(f"\nmedian server time, ms (ratio to {first:,} saves)")
    print(f"{'':<{width}}{head}")
    for name, by_stage in measure.figures.items():
        cells = "".join(f"{by_stage[s][0]:>10.1f}" for s in stages)
        cells += "".join(f"{ratio(by_stage[s][0], by_stage[first][0]):>10}" for s in stages[1:])
        print(f"{name:<{width}}{cells}")
    print(
        f"\nSQL queries a request, excluding BEGIN/COMMIT/ROLLBACK/SAVEPOINT/RELEASE "
        f"(median; min-max where the runs differ; ratio to {first:,} saves)"
    )
    print(f"{'':<{width}}{head}")
    for name, by_stage in measure.figures.items():
        cells = ""
        for s in stages:
            counts = by_stage[s][1]
            shown = f"{statistics.median(counts):.0f}"
            if min(counts) != max(counts):
                shown += f" ({min(counts)}-{max(counts)})"
            cells += f"{shown:>10}"
        cells += "".join(
            f"{ratio(statistics.median(by_stage[s][1]), statistics.median(by_stage[first][1])):>10}"
            for s in stages[1:]
        )
        print(f"{name:<{width}}{cells}")


def print_sizes(growth: list[tuple[int, int, dict[str, int], dict[str, int]]]) -> None:
    """growth: (stage, saves added, sizes before, sizes after) for each stage."""
    print("\nstorage per save added, bytes (pg_total_relation_size: table, indexes, TOAST; no VACUUM)")
    if not growth or growth[0][2] is None:
        print("  bytes: n/a on this database")
        return
    print(
        f"  {'to version':>12}{'saves':>8}{'versions+sessions+audit':>26}{'(v / s / a)':>24}"
        f"{'response row':>14}"
    )
    for stage, saves, before, after in growth:
        parts = [(after[t] - before[t]) / saves for t in SIZE_TABLES]
        row = (after["responses_response"] - before["responses_response"]) / saves
        split = " / ".join(f"{p:.0f}" for p in parts)
        print(f"  {stage:>12,}{saves:>8,}{sum(parts):>26.0f}{split:>24}{row:>14.1f}")
    stage, _saves, _before, after = growth[-1]
    total = sum(after[t] for t in SIZE_TABLES)
    print(
        f"  at {stage:,} versions: versions {after[SIZE_TABLES[0]]:,} B, "
        f"sessions {after[SIZE_TABLES[1]]:,} B, audit {after[SIZE_TABLES[2]]:,} B (total {total:,}); "
        f"responses_response {after['responses_response']:,} B"
    )


# -- main -----------------------------------------------------------------------------------------


def drafters_of(country: Country) -> list[User]:
    """The country's demo drafter and more, up to DRAFTERS_PER_COUNTRY."""
    for index in range(2, DRAFTERS_PER_COUNTRY + 1):
        user = UserFactory(username=f"{country.code.lower()}.drafter{index}", first_name=f"Drafter {index}")
        membership_grant(user=user, country=country, role=Membership.Role.DRAFTER)
    return [
        m.user
        for m in Membership.objects.filter(country=country, role=Membership.Role.DRAFTER)
        .select_related("user")
        .order_by("user__username")
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stages", default="100,1000,10000", help="version numbers to measure at")
    parser.add_argument("--runs", type=int, default=15, help="requests a measure (median)")
    parser.add_argument("--sql-dir", type=Path, help="write each measure's queries (last run) here")
    args = parser.parse_args()
    stages = sorted(int(s) for s in args.stages.split(","))
    if args.sql_dir:
        args.sql_dir.mkdir(parents=True, exist_ok=True)
    # The per-user cap would stop a single benchmark user after 120 saves a minute.
    settings.AUTOSAVES_PER_WINDOW = 10**9
    old = test_database()
    try:
        countries_load()
        report = questionnaire_load(path=DEFINITIONS_DIR / "us-ukraine-security-arrangements.yaml")
        round_ = report.questionnaire.rounds.get()
        demo_seed(round=round_, country_count=50, password="bench")
        structure = questionnaire_structure(round_.questionnaire_id)
        # Two drafts of one country each: the member pages read the first, the second is
        # submitted at each stage for the comparison.
        drafts = [
            r
            for r in Response.objects.filter(round=round_, status=Response.Status.DRAFT).order_by("pk")
            if r.authors.count() == 1
        ][:2]
        draft, other = drafts
        draft_country, other_country = draft.authors.get(), other.authors.get()
        drafting = Drafting(draft, drafters_of(draft_country), structure, seed="history-a")
        other_drafting = Drafting(other, drafters_of(other_country), structure, seed="history-b")
        approver = Membership.objects.get(country=other_country, role=Membership.Role.APPROVER).user
        coordinator = User.objects.get(username="coordinator")

        member = Client(HTTP_HOST="localhost")
        member.force_login(drafting.drafters[0])
        analyst = Client(HTTP_HOST="localhost")
        analyst.force_login(AnalystFactory(username="bench.analyst"))

        print(f"database: {describe_database()}")
        print(
            f"draft: {draft_country.name} (response {draft.pk}), {len(drafting.drafters)} drafters; "
            f"submitted for the comparison: {other_country.name} (response {other.pk}); "
            f"{Response.objects.filter(round=round_).count()} responses in the round; "
            f"{args.runs} runs a measure",
            flush=True,
        )
        measure = Measure(args.runs, args.sql_dir)
        growth = []
        for stage in stages:
            if drafting.number >= stage:
                print(f"stage {stage:,} skipped: the draft is already at version {drafting.number:,}")
                continue
            print(f"\nstage {stage:,}: saving", flush=True)
            before, saves_before = table_bytes(), drafting.number + other_drafting.number
            drafting.save_until(stage, draft_country.name)
            other_drafting.save_until(stage, other_country.name)
            after = table_bytes()
            growth.append((stage, drafting.number + other_drafting.number - saves_before, before, after))
            for churn in row_churn():
                print(f"  {churn}", flush=True)

            response_submit(response=Response.objects.get(pk=other.pk), user=approver)
            sessions = EditingSession.objects.filter(response_id=draft.pk)
            last_page = math.ceil(sessions.count() / HISTORY_SESSIONS_PER_PAGE)
            opened = sessions.filter(save_count__gte=RUN_LENGTH[0]).order_by("-first_number").first()
            history = reverse("responses:history", args=[draft.pk])
            print(
                f"stage {stage:,}: measuring ({sessions.count()} editing sessions, "
                f"{last_page} history pages of {HISTORY_SESSIONS_PER_PAGE}; "
                f"session expanded: {opened.save_count} saves)",
                flush=True,
            )
            pages = [
                ("question 1", reverse("responses:question", args=[draft.pk, 1])),
                ("response page", reverse("responses:detail", args=[draft.pk])),
                ("history page 1", history),
                ("history page 3 (or last)", f"{history}?page={min(3, last_page)}"),
                ("history last page", f"{history}?page={last_page}"),
                ("history, session expanded", f"{history}?session={opened.pk}"),
                ("diff 1 to N", reverse("responses:diff", args=[draft.pk]) + f"?from=1&to={stage}"),
            ]
            for name, url in pages:
                measure.get(name, stage, member, url)
            measure.autosave("autosave (HTTP)", stage, member, draft, drafting)
            measure.get("comparison (analyst)", stage, analyst, reverse("reports:comparison"))
            # Returned for revision, so that its drafters can carry on.
            response_return(
                response=Response.objects.get(pk=other.pk),
                user=coordinator,
                comment="Benchmark: returned for more drafting.",
                question_comments={},
            )
            other_drafting.number = Response.objects.get(pk=other.pk).current_number

        measured = [s for s in stages if s in next(iter(measure.figures.values()), {})]
        print_tables(measure, measured)
        print_sizes(growth)
        print(
            "\nNotes: 'history last page' is page ceil(sessions / 20), holding what is left over; "
            "'history page 3' is the last page while there are fewer. The expanded session is the "
            f"newest with at least {RUN_LENGTH[0]} saves. Each stage's autosaves (HTTP) add "
            f"{args.runs + 1} versions to the draft after its pages are measured. Storage counts the "
            "saves of both responses between the stage's start and end (measurement requests, "
            "submissions and returns left out); responses_response is updated in place by every "
            "save, so its growth is dead tuples."
        )
    finally:
        drop(old)


if __name__ == "__main__":
    main()
