"""A backup restores whole: a database with submitted and draft responses, a built report and
its audit trail is backed up (pg_dump, custom format), restored into a fresh database of the same
server (pg_restore), and every version, report file, response and audit row comes back identical."""

import uuid

import psycopg2
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from core.backup import BackupError, backup_create, backup_restore
from reports.models import Report
from reports.services import report_build

pytestmark = pytest.mark.django_db(transaction=True)

TABLES = (
    "responses_response",
    "responses_responseversion",
    "responses_editingsession",
    "reports_report",
    "reports_reportfile",
    "reports_reportsource",
    "audit_auditevent",
    "accounts_user",
)


def _connect(database: str):
    settings_dict = connection.settings_dict
    return psycopg2.connect(
        dbname=database,
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
    )


def rows(database: str) -> dict[str, list[tuple]]:
    with _connect(database) as db, db.cursor() as cursor:
        found = {}
        for table in TABLES:
            cursor.execute(f"SELECT * FROM {table} ORDER BY 1")  # noqa: S608 (names fixed above)
            found[table] = cursor.fetchall()
        return found


@pytest.fixture
def fresh_database():
    name = f"restore_check_{uuid.uuid4().hex[:8]}"
    admin = _connect(connection.settings_dict["NAME"])
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump backs up PostgreSQL")
def test_a_backup_restores_every_version_report_file_and_audit_row(world, tmp_path, fresh_database):
    report = Report.objects.create(
        round=world["round"], requested_by=world["analyst"], formats=["csv", "pdf"]
    )
    assert report_build(report_id=report.pk).status == Report.Status.DONE
    before = rows(connection.settings_dict["NAME"])
    assert before["responses_responseversion"] and before["reports_reportfile"] and before["audit_auditevent"]

    path = backup_create(directory=tmp_path)
    assert path.name.startswith("allied-responses-") and path.suffix == ".dump"
    backup_restore(path=path, database=fresh_database)

    assert rows(fresh_database) == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump backs up PostgreSQL")
def test_a_broken_backup_changes_nothing_and_says_why(world, tmp_path, fresh_database):
    path = backup_create(directory=tmp_path)
    backup_restore(path=path, database=fresh_database)
    restored = rows(fresh_database)
    broken = tmp_path / "broken.dump"
    broken.write_bytes(path.read_bytes()[: path.stat().st_size // 3])

    with pytest.raises(BackupError, match="pg_restore failed, nothing was changed"):
        backup_restore(path=broken, database=fresh_database)
    assert rows(fresh_database) == restored


def test_the_restore_command_asks_for_confirmation(tmp_path):
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(tmp_path / "any.dump"))
