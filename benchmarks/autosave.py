"""One autosave, the request the deadline surge is made of: median server time and SQL queries,
through Django's full middleware stack (sessions, auth, second factor, CSP, axes), with 50
countries seeded. Prints figures; asserts nothing. `--profile` adds the functions that cost most.

    python benchmarks/autosave.py [--runs 200] [--profile]
"""

import argparse
import cProfile
import io
import pstats
import statistics
import time

from _setup import describe_database, drop, test_database

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from questionnaire.loader import DEFINITIONS_DIR, questionnaire_load
from responses.demo import demo_seed
from responses.models import Membership, Response
from responses.services import countries_load


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
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

        def save(n: int) -> tuple[float, int]:
            draft.refresh_from_db()
            data = {"base_version": draft.current_version.number, "q1_comments": f"Draft text, save {n}."}
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                answer = client.post(url, data, HTTP_X_REQUESTED_WITH="fetch")
                elapsed = (time.perf_counter() - start) * 1000
            assert answer.status_code == 200, answer.content[:300]
            return elapsed, len(queries)

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
        print(f"database: {describe_database()}")
        print(
            f"autosave of question 1, {args.runs} saves: median {statistics.median(timings):.1f} ms, "
            f"p95 {sorted(timings)[int(len(timings) * 0.95)]:.1f} ms, {statistics.median(counts):.0f} queries"
        )
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
            print(out.getvalue())
    finally:
        drop(old)


if __name__ == "__main__":
    main()
