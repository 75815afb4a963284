"""Comparison page: median server time and SQL query count, with 50 countries of full responses,
then with 500 responses (10 rounds of 50). Prints figures; asserts nothing.

    python benchmarks/comparison.py [--runs 30]
"""

import argparse
import statistics
import time

from _setup import describe_database, drop, test_database

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from questionnaire.loader import DEFINITIONS_DIR, questionnaire_load
from questionnaire.models import Round
from coordination.demo import demo_seed
from responses.models import Response
from responses.services import countries_load
from tests.accounts.factories import AnalystFactory


def measure(client: Client, url: str, runs: int) -> tuple[float, float, int]:
    client.get(url)  # warm caches and record what the analyst has seen
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return statistics.median(timings), max(timings), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    old = test_database()
    try:
        countries_load()
        report = questionnaire_load(path=DEFINITIONS_DIR / "us-ukraine-security-arrangements.yaml")
        first = report.questionnaire.rounds.get()
        demo_seed(round=first, country_count=50, password="bench")
        client = Client(HTTP_HOST="localhost")
        client.force_login(AnalystFactory(username="bench.analyst"))
        url = reverse("reports:comparison")
        print(f"database: {describe_database()}")
        columns = Response.objects.filter(round=first, submitted_version__isnull=False).count()
        median, worst, queries = measure(client, url, args.runs)
        print(
            f"comparison, 50 countries ({columns} submitted columns x 37 fields): "
            f"median {median:.1f} ms, max {worst:.1f} ms, {queries} queries"
        )

        # Nine older rounds of 50 responses each: the page must still read only the current one.
        for number in range(2, 11):
            older = Round.objects.create(
                questionnaire=first.questionnaire,
                key=f"bench-round-{number}",
                title=f"Bench round {number}",
                status=Round.Status.OPEN,
                handling_marking=first.handling_marking,
            )
            demo_seed(round=older, country_count=50, password="bench")
            Round.objects.filter(pk=older.pk).update(status=Round.Status.CLOSED)
        total = Response.objects.count()
        median, worst, queries = measure(client, url, args.runs)
        print(
            f"comparison with {total} responses in 10 rounds: median {median:.1f} ms, max {worst:.1f} ms, "
            f"{queries} queries"
        )
        for name in ("troops", "us_support", "stationing", "agreement", "sanctions", "changes"):
            median, worst, queries = measure(client, reverse(f"reports:{name}"), max(5, args.runs // 3))
            print(f"  {name}: median {median:.1f} ms, {queries} queries")
    finally:
        drop(old)


if __name__ == "__main__":
    main()
