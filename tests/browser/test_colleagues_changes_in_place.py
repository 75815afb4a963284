"""Two officials on one page: a colleague's saved answer appears in the page of the one typing,
without a reload and without stopping the autosave."""

import pytest
from playwright.sync_api import Browser, expect

from responses.models import Response
from responses.services import response_save_draft
from tests.browser.conftest import screenshot
from tests.browser.helpers import sign_in, wait_for_saved_answer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_colleagues_answer_is_put_in_place_and_autosave_goes_on(browser: Browser, live_server, officials):
    response, _alice, bob = officials
    page = browser.new_page()
    sign_in(page, live_server.url, "fr.alice")
    page.goto(f"{live_server.url}/responses/{response.pk}/questions/1/")
    page.evaluate("window.__notReloaded = true")

    # Bob, on his own page, changes an answer of question 1 that Alice is not touching.
    response_save_draft(response=response, user=bob, answers={"q1_participate": "undecided"}, base_version=1)

    # Alice types a comment: her autosave merges, and Bob's answer appears in her page.
    page.get_by_label("Comments on participation and troops").fill("Alice's wording")
    wait_for_saved_answer("q1_comments", "Alice's wording")
    expect(page.locator("input[name=q1_participate][value=undecided]")).to_be_checked(timeout=15_000)
    expect(page.get_by_test_id("autosave-status")).to_contain_text("now shown")
    assert page.evaluate("window.__notReloaded") is True
    screenshot(page, "colleague-change-put-in-place")

    # Her page goes on autosaving from the merged version: Bob's answer is not reverted.
    page.get_by_label("Comments on participation and troops").fill("Alice's second wording")
    wait_for_saved_answer("q1_comments", "Alice's second wording")
    answers = Response.objects.get(pk=response.pk).answers
    assert answers["q1_participate"] == "undecided"
    page.close()
