"""A Save (the form's own button, not autosave) that the server fails with a 500 shows the error
page; going back from it puts the typed text back into the form and saves it, without the user
typing again."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from playwright.sync_api import Page, expect

import responses.views
from tests.browser.conftest import screenshot
from tests.browser.helpers import open_question_1, saved_comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TYPED = "Typed just before the server failed."


def test_back_from_the_error_page_of_a_failed_save_restores_and_saves_the_text(
    page: Page, live_server, us_round, monkeypatch
):
    open_question_1(page, live_server.url)

    def server_fault(**kwargs: object) -> None:
        raise ImproperlyConfigured("a fault in the save, for the test")

    with monkeypatch.context() as broken:
        broken.setattr(responses.views, "response_save_draft", server_fault)
        comments = page.get_by_label("Comments on participation and troops")
        comments.fill(TYPED)
        # Pressed at once, before the 3 s autosave: the form post is what fails.
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_test_id("typed-text-kept")).to_be_visible()
        assert TYPED not in page.content()
        screenshot(page, "failed-save-error-page")
    assert saved_comment() is None

    page.get_by_role("link", name="Back to the question").click()

    comments = page.get_by_label("Comments on participation and troops")
    expect(comments).to_have_value(TYPED)
    expect(page.get_by_test_id("autosave-status")).to_contain_text("Saved at", timeout=15_000)
    assert saved_comment() == TYPED


def test_shown_again_from_the_back_forward_cache_after_a_save_the_page_reloads_and_saves(
    page: Page, live_server, us_round
):
    """Chrome, Firefox and Safari may go back to the page from memory, with autosave still
    stopped by the submit. Chromium under Playwright never does for this page (even with its cache
    allowed, for a reason it masks), so the two events the browser would fire are dispatched."""
    open_question_1(page, live_server.url)
    page.get_by_label("Comments on participation and troops").fill(TYPED)

    with page.expect_navigation():
        page.evaluate(
            """() => {
              document.getElementById("question-form").dispatchEvent(new Event("submit"));
              window.dispatchEvent(new PageTransitionEvent("pageshow", { persisted: true }));
            }"""
        )

    assert page.evaluate("performance.getEntriesByType('navigation')[0].type") == "reload"
    expect(page.get_by_label("Comments on participation and troops")).to_have_value(TYPED)
    expect(page.get_by_test_id("autosave-status")).to_contain_text("Saved at", timeout=15_000)
    assert saved_comment() == TYPED
