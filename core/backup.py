"""Backups of everything that holds state, and their restore.

Everything the app keeps is in its database: responses and every version, reports with their
files (docs/decisions/0003), the audit log, accounts and second factors, Celery beat's schedule.
Redis holds only what can be lost (cache, rate-limit windows, presence, queued task messages that
the periodic sweep re-enqueues), so a backup is the database alone:

- PostgreSQL: `pg_dump` in its custom format (compressed; `pg_restore` can restore it whole or
  in part), restored with `pg_restore --clean --if-exists` in one transaction;
- SQLite (the embedded default): SQLite's online backup, a consistent copy while the app runs.
"""

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

from django.db import connection
from django.utils import timezone

NAME_PREFIX = "allied-responses"


class BackupError(Exception):
    pass


def _pg_arguments(settings_dict: dict, database: str) -> tuple[list[str], dict[str, str]]:
    arguments = ["--dbname", database]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            arguments += [option, str(settings_dict[key])]
    environment = {**os.environ}
    if settings_dict.get("PASSWORD"):
        environment["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return arguments, environment


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def backup_create(*, directory: Path, at: datetime | None = None) -> Path:
    """Writes a backup of the database into `directory`, named by the time (UTC), and returns it."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"cannot write backups into {directory}: {exc.strerror}") from exc
    stamp = (at or timezone.now()).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        path = directory / f"{NAME_PREFIX}-{stamp}.dump"
        arguments, environment = _pg_arguments(settings_dict, settings_dict["NAME"])
        # An argument list from the settings, no shell: nothing a user typed reaches it.
        done = subprocess.run(  # noqa: S603
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(path), *arguments],
            env=environment,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            path.unlink(missing_ok=True)
            raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
        return path
    if connection.vendor == "sqlite":
        if not Path(settings_dict["NAME"]).is_file():
            raise BackupError(f"no database at {settings_dict['NAME']} (run make setup first)")
        path = directory / f"{NAME_PREFIX}-{stamp}.sqlite3"
        source = sqlite3.connect(settings_dict["NAME"])
        try:
            with sqlite3.connect(path) as target:
                source.backup(target)
        finally:
            source.close()
        return path
    raise BackupError(f"no backup for a {connection.vendor} database")


def backup_restore(*, path: Path, database: str | None = None) -> None:
    """Restores a backup over the configured database (or, on PostgreSQL, over `database`, an
    existing database of the same server). Everything in the target is replaced."""
    if not path.is_file():
        raise BackupError(f"no backup at {path}")
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        if path.suffix != ".dump":
            raise BackupError(f"{path.name} is not a PostgreSQL backup (.dump)")
        arguments, environment = _pg_arguments(settings_dict, database or settings_dict["NAME"])
        done = subprocess.run(  # noqa: S603 (an argument list from the settings, no shell)
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                *arguments,
                str(path),
            ],
            env=environment,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_restore failed, nothing was changed: {done.stderr.strip()}")
        return
    if connection.vendor == "sqlite":
        if path.suffix != ".sqlite3":
            raise BackupError(f"{path.name} is not an SQLite backup (.sqlite3)")
        connection.close()
        source = sqlite3.connect(path)
        try:
            with sqlite3.connect(database or settings_dict["NAME"]) as target:
                source.backup(target)
        finally:
            source.close()
        return
    raise BackupError(f"no restore for a {connection.vendor} database")
