"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server."""

import os
import shutil
from pathlib import Path

import pytest

from responses.models import Country, Membership
from responses.services import response_save_draft, response_start
from tests.responses.factories import MembershipFactory

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Playwright's sync API keeps an event loop running in the test thread for the rest of the
# session, while tests and pytest-django still use the ORM there. Test runs only: the settings
# tests strip it from the deployment checks they start.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if not Path(CHROMIUM).exists():
        skip = pytest.mark.skip(
            reason="Chromium is not installed (apt-get install chromium; .ci/run does it)"
        )
        for item in items:
            if "tests/browser" in str(item.fspath):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


def screenshot(page, name: str) -> Path:
    """Saves a full-page screenshot under test-artifacts/ for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(autouse=True)
def _no_content_security_policy_violations(page):
    """Every browser test also checks that the strict CSP blocked nothing the app needs."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield
    assert violations == []


@pytest.fixture
def officials(us_round):
    """France's response, begun by Alice; Bob drafts it with her."""
    france = Country.objects.get(code="FR")
    alice = MembershipFactory(country=france, role=Membership.Role.DRAFTER, user__username="fr.alice").user
    bob = MembershipFactory(country=france, role=Membership.Role.DRAFTER, user__username="fr.bob").user
    response = response_start(round=us_round, countries=[france])
    response_save_draft(
        response=response,
        user=alice,
        answers={"q1_participate": "yes", "q1_send_troops": "no"},
        base_version=0,
    )
    return response, alice, bob
