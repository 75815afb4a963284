"""Shared set-up for the benchmark scripts: a throwaway test database with the questionnaire,
the countries and demo data, on whatever DATABASE_URL points at (SQLite by default)."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from django.db import connection
from django.test.utils import setup_test_environment


def test_database() -> str:
    """Creates a fresh test database (dropped by `drop`)."""
    setup_test_environment()
    return connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)


def drop(old_name: str) -> None:
    connection.creation.destroy_test_db(old_name, verbosity=0)


def describe_database() -> str:
    return f"{connection.vendor} ({connection.settings_dict.get('HOST') or 'local file/memory'})"
