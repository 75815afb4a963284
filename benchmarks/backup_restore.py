"""How long `make backup` and `make restore` take on a year of data, on PostgreSQL.

A year, as this script assumes it: four rounds a year, each drafted for six weeks by 50
governments whose staff autosave about 4,500 times a week (issue 9's figure for five officials an
hour a day), coalesced into far fewer versions; to stay on the safe side, every autosave is kept
as its own version here: 50 x 6 x 4,500 x 4 = 5.4 million versions of one changed field (a delta,
with a full snapshot every 50th), plus one audit row per 20 versions. `--versions` scales it
down (the restore is then extrapolated to a year). Generated in SQL, not through the
save service (which would take hours), with the row shapes the service writes.

    DATABASE_URL=postgres://... python benchmarks/backup_restore.py [--versions 5400000]
"""

import argparse
import tempfile
import time
from pathlib import Path

from _setup import describe_database, drop, test_database

from django.db import connection

from core.backup import backup_create, backup_restore
from questionnaire.loader import DEFINITIONS_DIR, questionnaire_load
from coordination.demo import demo_seed
from responses.models import Response
from responses.services import countries_load

A_YEAR = 50 * 6 * 4_500 * 4


def generate(versions: int) -> None:
    responses = list(Response.objects.values_list("pk", "current_number"))
    per_response = versions // len(responses)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM accounts_user ORDER BY id LIMIT 1")
        user_id = cursor.fetchone()[0]
        for response_id, start in responses:
            cursor.execute(
                """
                INSERT INTO responses_responseversion
                    (response_id, number, kind, is_snapshot, answers, metadata, changes, changed_fields,
                     created_by_id, created_at)
                SELECT %s, n, 'draft', n %% 50 = 0,
                       CASE WHEN n %% 50 = 0
                            THEN jsonb_build_object('q1_comments', repeat('Draft text ', 40) || n)
                            ELSE '{}'::jsonb END,
                       '{}'::jsonb,
                       CASE WHEN n %% 50 = 0 THEN NULL
                            ELSE jsonb_build_object(
                                'set', jsonb_build_object('q1_comments', 'Draft text, save ' || n))
                       END,
                       '["q1_comments"]'::jsonb, %s, now() - (n || ' seconds')::interval
                FROM generate_series(%s, %s) AS n
                """,
                [response_id, user_id, start + 1, start + per_response],
            )
            cursor.execute(
                """
                INSERT INTO audit_auditevent (at, user_id, action, response_id, detail)
                SELECT now(), %s, 'response.save', %s, '{}'::jsonb FROM generate_series(1, %s)
                """,
                [user_id, response_id, max(1, per_response // 20)],
            )


def database_size() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return cursor.fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--versions", type=int, default=A_YEAR)
    args = parser.parse_args()
    assert connection.vendor == "postgresql", "set DATABASE_URL to a PostgreSQL database"
    old = test_database()
    try:
        countries_load()
        report = questionnaire_load(path=DEFINITIONS_DIR / "us-ukraine-security-arrangements.yaml")
        demo_seed(round=report.questionnaire.rounds.get(), country_count=50, password="bench")
        started = time.perf_counter()
        generate(args.versions)
        print(f"database: {describe_database()}")
        print(
            f"generated {args.versions:,} versions in {time.perf_counter() - started:.0f} s; "
            f"database {database_size() / 1e6:,.0f} MB"
        )
        with tempfile.TemporaryDirectory() as directory:
            started = time.perf_counter()
            path = backup_create(directory=Path(directory))
            backup_s = time.perf_counter() - started
            backup_mb = path.stat().st_size / 1e6
            target = f"{connection.settings_dict['NAME']}_restored"
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
                cursor.execute(f'CREATE DATABASE "{target}"')
            started = time.perf_counter()
            backup_restore(path=path, database=target)
            restore_s = time.perf_counter() - started
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        millions = args.versions / 1e6
        print(f"backup: {backup_s:.0f} s, a file of {backup_mb:,.0f} MB")
        print(f"restore: {restore_s:.0f} s ({restore_s / millions:.0f} s per million versions)")
        if args.versions < A_YEAR:
            print(
                f"a year as assumed ({A_YEAR / 1e6:.1f} million versions): restore about "
                f"{restore_s / millions * A_YEAR / 1e6:.0f} s by linear extrapolation"
            )
    finally:
        drop(old)


if __name__ == "__main__":
    main()
