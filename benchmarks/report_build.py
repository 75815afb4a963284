"""A full report (HTML, XLSX, CSV, PDF) for 50 countries, built as one worker builds it: prints
the time per format and in total. Asserts nothing.

    python benchmarks/report_build.py
"""

import time

from _setup import describe_database, drop, test_database

from questionnaire.loader import DEFINITIONS_DIR, questionnaire_load
from reports.exporters import FORMATS
from reports.models import Report
from reports.services import _snapshot, report_build
from coordination.demo import demo_seed
from responses.services import countries_load
from tests.accounts.factories import AnalystFactory


def main() -> None:
    old = test_database()
    try:
        countries_load()
        round_ = questionnaire_load(
            path=DEFINITIONS_DIR / "us-ukraine-security-arrangements.yaml"
        ).questionnaire.rounds.get()
        demo_seed(round=round_, country_count=50, password="bench")
        analyst = AnalystFactory(username="bench.analyst")
        print(f"database: {describe_database()}")

        report = Report.objects.create(round=round_, requested_by=analyst, formats=list(Report.Format.values))
        start = time.perf_counter()
        comparison = _snapshot(report)
        print(
            f"snapshot and comparison: {(time.perf_counter() - start) * 1000:.0f} ms "
            f"({len(comparison.columns)} responses)"
        )
        for fmt, exporter in FORMATS.items():
            start = time.perf_counter()
            content = exporter.build(comparison, report)
            print(f"  {fmt.upper():4}: {(time.perf_counter() - start):.2f} s, {len(content) / 1024:.0f} KiB")

        report = Report.objects.create(round=round_, requested_by=analyst, formats=list(Report.Format.values))
        start = time.perf_counter()
        built = report_build(report_id=report.pk)
        print(f"full report_build, all four formats: {time.perf_counter() - start:.2f} s ({built.status})")
    finally:
        drop(old)


if __name__ == "__main__":
    main()
