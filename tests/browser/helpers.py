"""What the browser tests do again and again: sign in, open question 1, wait for an autosave."""

import time

from playwright.sync_api import Page, expect

from responses.models import Country, Membership, Response
from tests.accounts.factories import TEST_PASSWORD
from tests.responses.factories import MembershipFactory


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("signed-in-as")).to_contain_text(username)


def wait_for_saved_answer(key: str, value, timeout: float = 20.0) -> None:
    """Autosave runs a few seconds after the last change: wait until the database has it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = Response.objects.select_related("current_version").first()
        if response and response.current_version and response.answers.get(key) == value:
            return
        time.sleep(0.25)
    raise AssertionError(f"{key} was not autosaved as {value!r}")


def open_question_1(page: Page, base: str) -> None:
    MembershipFactory(
        country=Country.objects.get(code="FR"), role=Membership.Role.DRAFTER, user__username="fr.drafter"
    )
    sign_in(page, base, "fr.drafter")
    page.goto(f"{base}/responses/country/fr/")
    page.get_by_role("button", name="Start the response").click()
    page.wait_for_load_state("load")


def saved_comment() -> str | None:
    return Response.objects.get().answers.get("q1_comments")
