"""Settings are read at start-up, so each case starts a fresh interpreter with its environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "x7Kq2mN9vR4tY8wZ1aB5cD3eF6gH0jL-pQsUvWxYz_AbCdEfGhIjKlMnOpQrSt"


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DEBUG", "REDIS_URL", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run("manage.py", "check", DJANGO_SETTINGS_MODULE="config.settings.production")

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_passes_the_deployment_checklist_without_a_warning():
    result = run(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=STRONG_KEY,
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_local_settings_refuse_the_development_key_when_debug_is_off():
    result = run("manage.py", "check", DJANGO_SETTINGS_MODULE="config.settings.local", DEBUG="false")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


PRINT_SETTINGS = (
    "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.local');"
    "django.setup();"
    "from django.conf import settings as s; from config.celery import app;"
    "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], app.conf.task_always_eager,"
    " app.conf.broker_url, app.conf.task_serializer, app.conf.task_acks_late, app.conf.task_time_limit)"
)


def test_embedded_default_is_sqlite_and_eager_tasks():
    result = run("-c", PRINT_SETTINGS)

    assert result.returncode == 0, result.stderr
    engine, name, eager, broker, serializer, acks_late, time_limit = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert name.endswith("db.sqlite3")
    assert (eager, broker, serializer, acks_late, time_limit) == ("True", "memory://", "json", "True", "360")


def test_database_and_redis_urls_switch_to_the_full_stack():
    result = run(
        "-c",
        PRINT_SETTINGS,
        DATABASE_URL="postgres://someone@db.example.invalid:5432/allied",
        REDIS_URL="redis://127.0.0.1:6379/3",
    )

    assert result.returncode == 0, result.stderr
    engine, name, eager, broker, *_ = result.stdout.split()
    assert (engine, name) == ("django.db.backends.postgresql", "allied")
    assert (eager, broker) == ("False", "redis://127.0.0.1:6379/3")


@pytest.mark.parametrize("module", ["config.settings.local", "config.settings.test"])
def test_debug_modes_never_allow_every_host(module):
    script = "import django; django.setup(); from django.conf import settings; print(settings.ALLOWED_HOSTS)"
    result = run("-c", script, DJANGO_SETTINGS_MODULE=module)

    assert result.returncode == 0, result.stderr
    assert "*" not in result.stdout
