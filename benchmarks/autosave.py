"""One autosave, the request the deadline surge is made of: median server time and SQL queries,
through Django's full middleware stack (sessions, auth, second factor, CSP, axes), with 50
countries seeded, beside the database floor measured in the same run: what any save must cost
(lock the response row, insert a version, update the row, commit), in plain SQL. Prints figures;
asserts nothing. `--profile` adds the functions that cost most.

    python benchmarks/autosave.py [--runs 200] [--profile]
"""

import argparse
import cProfile
import io
import json
import pstats
import statistics
import time

from _setup import describe_database, drop, test_database

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from questionnaire.loader import DEFINITIONS_DIR, questionnaire_load
from coordination.demo import demo_seed
from responses.models import Membership, Response
from responses.services import countries_load


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--queries", action="store_true", help="print each query's median time")
    args = parser.parse_args()
    # The per-user cap would stop a single benchmark user after 120 saves a minute.
    settings.AUTOSAVES_PER_WINDOW = 10**9
    old = test_database()
    try:
        countries_load()
        report = questionnaire_load(path=DEFINITIONS_DIR / "us-ukraine-security-arrangements.yaml")
        round_ = report.questionnaire.rounds.get()
        demo_seed(round=round_, country_count=50, password="bench")
        draft = Response.objects.filter(round=round_, status=Response.Status.DRAFT).first()
        drafter = (
            Membership.objects.filter(role=Membership.Role.DRAFTER, country__in=draft.authors.all())
            .first()
            .user
        )
        client = Client(HTTP_HOST="localhost")
        client.force_login(drafter)
        url = reverse("responses:autosave", args=[draft.pk, 1])
        client.get(reverse("responses:question", args=[draft.pk, 1]))  # warm up, as a person would

        per_query: dict[int, list[tuple[str, float]]] = {}

        def save(n: int) -> tuple[float, int]:
            draft.refresh_from_db()
            data = {"base_version": draft.current_number, "q1_comments": f"Draft text, save {n}."}
            timed: list[tuple[str, float]] = []

            def timer(execute, sql, params, many, context):
                begin = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    timed.append((sql, (time.perf_counter() - begin) * 1000))

            with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(timer):
                start = time.perf_counter()
                answer = client.post(url, data, HTTP_X_REQUESTED_WITH="fetch")
                elapsed = (time.perf_counter() - start) * 1000
            assert answer.status_code == 200, answer.content[:300]
            for index, (sql, ms) in enumerate(timed):
                per_query.setdefault(index, []).append((sql, ms))
            return elapsed, len(queries)

        def floor(n: int) -> float:
            """Lock + insert + update + commit, nothing else, in a rolled-back-free transaction."""
            # A constant clause, not user input.
            lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
            start = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT id, answers FROM responses_response WHERE id = %s{lock}",  # noqa: S608
                    [draft.pk],
                )
                cursor.execute(
                    "INSERT INTO benchmark_floor (response_id, payload) VALUES (%s, %s)",
                    [draft.pk, json.dumps({"set": {"q1_comments": f"Draft text, floor {n}."}})],
                )
                cursor.execute(
                    "UPDATE responses_response SET updated_at = %s WHERE id = %s", [timezone.now(), draft.pk]
                )
            return (time.perf_counter() - start) * 1000

        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE benchmark_floor (id integer PRIMARY KEY "
                + ("GENERATED ALWAYS AS IDENTITY" if connection.vendor == "postgresql" else "")
                + ", response_id integer NOT NULL, payload text NOT NULL)"
            )

        profiler = cProfile.Profile() if args.profile else None
        timings, counts = [], []
        for n in range(args.runs):
            if profiler:
                profiler.enable()
            elapsed, count = save(n)
            if profiler:
                profiler.disable()
            timings.append(elapsed)
            counts.append(count)
        floors = [floor(n) for n in range(args.runs)]
        # The same number of each, interleaved, so that both see the same machine.
        paired = []
        for n in range(args.runs):
            paired.append((save(args.runs + n)[0], floor(args.runs + n)))
        autosave_ms = statistics.median([a for a, _ in paired] + timings)
        floor_ms = statistics.median([f for _, f in paired] + floors)
        print(f"database: {describe_database()}")
        print(
            f"autosave of question 1, {args.runs * 2} saves: median {autosave_ms:.1f} ms, "
            f"p95 {sorted(timings)[int(len(timings) * 0.95)]:.1f} ms, "
            f"{statistics.median(counts):.0f} queries (BEGIN and COMMIT included)"
        )
        print(f"database floor (lock + insert + update + commit): median {floor_ms:.2f} ms")
        print(f"autosave / floor: {autosave_ms / floor_ms:.1f}x (target: within 8x)")
        if args.queries:
            for index, runs in sorted(per_query.items()):
                sql = runs[-1][0]
                median = statistics.median(ms for _, ms in runs)
                print(f"  query {index + 1}: median {median:.2f} ms  {sql[:160]}")
        if profiler:
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(60)
            stats.sort_stats("tottime").print_stats(30)
            print(out.getvalue())
    finally:
        drop(old)


if __name__ == "__main__":
    main()
