from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from questionnaire.loader import DEFINITIONS_DIR, questionnaire_load
from questionnaire.models import Round
from responses.services import countries_load

US_DEFINITION = DEFINITIONS_DIR / "us-ukraine-security-arrangements.yaml"


def _services() -> str:
    db = settings.DATABASES["default"]
    database = f"{db['ENGINE'].rsplit('.', 1)[-1]} ({db.get('HOST') or db['NAME']})"
    broker = settings.REDIS_URL or "none: Celery tasks run eagerly, real-worker tests are skipped"
    return f"database: {database}; broker: {broker}"


def pytest_report_header() -> str:
    return f"Allied Responses test services: {_services()}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    terminalreporter.write_line(f"Ran on {_services()}")


@pytest.fixture
def countries(db: None) -> None:
    countries_load()


@pytest.fixture
def us_round(db: None, countries: None) -> Round:
    """The shipped US questionnaire, loaded from its definition file, with its open round."""
    report = questionnaire_load(path=US_DEFINITION)
    return report.questionnaire.rounds.get()


@pytest.fixture
def definition_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped definition, for tests that change it."""
    path = tmp_path / "definition.yaml"
    path.write_text(US_DEFINITION.read_text(encoding="utf-8"), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _fresh_local_cache() -> None:
    """SQLite reuses primary keys after a rolled-back test, so an in-process cache would carry
    one test's presence into the next. (Redis is not flushed: it is also the broker.)"""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    from questionnaire.structure import structure_cache_clear
    from responses.selectors import countries_cache_clear

    structure_cache_clear()
    countries_cache_clear()

    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the site's default language. A request activates the language it
    asks for in the test's thread and leaves it there (in production every request sets its
    own), so code a test calls outside a request would otherwise run in the previous test's."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
