"""Two officials on one response, each in their own browser: a resolved conflict stays resolved,
leaving the page never drops what was typed, text typed offline goes through the merge when the
connection returns, and the page's badges and presence tell the truth."""

import time

import pytest
from playwright.sync_api import Browser, Page, expect

from responses.models import Response
from responses.services import response_save_draft
from tests.browser.conftest import screenshot
from tests.browser.helpers import sign_in, wait_for_saved_answer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMMENTS = "Comments on participation and troops"


def open_question(browser: Browser, base: str, username: str, response: Response, number: int = 1) -> Page:
    page = browser.new_context().new_page()
    sign_in(page, base, username)
    page.goto(f"{base}/responses/{response.pk}/questions/{number}/")
    return page


def stored(response: Response, key: str):
    return Response.objects.get(pk=response.pk).answers.get(key)


def comment_conflict(browser: Browser, base: str, officials) -> tuple[Page, Page]:
    """Bob and Alice both write the comment; Bob's is saved first, Alice's page shows the
    conflict table after she presses Save."""
    response = officials[0]
    alice_page = open_question(browser, base, "fr.alice", response)
    bob_page = open_question(browser, base, "fr.bob", response)
    bob_page.get_by_label(COMMENTS).fill("Bob's wording")
    wait_for_saved_answer("q1_comments", "Bob's wording")
    alice_page.get_by_label(COMMENTS).fill("Alice's wording")
    expect(alice_page.get_by_test_id("autosave-status")).to_contain_text("changed", timeout=15_000)
    alice_page.get_by_role("button", name="Save", exact=True).click()
    expect(alice_page.get_by_test_id("conflict")).to_be_visible()
    # Beside the field as well as at the top, and the keyboard starts at the choice.
    expect(alice_page.get_by_test_id("conflict-note")).to_be_visible()
    assert alice_page.evaluate("document.activeElement.id") == "conflict"
    return alice_page, bob_page


def test_a_conflict_resolved_as_theirs_keeps_the_colleagues_text(browser: Browser, live_server, officials):
    response = officials[0]
    alice_page, _ = comment_conflict(browser, live_server.url, officials)
    screenshot(alice_page, "collaboration-01-conflict")
    alice_page.get_by_label("Theirs").check()
    alice_page.get_by_role("button", name="Save", exact=True).click()
    expect(alice_page.get_by_label(COMMENTS)).to_have_value("Bob's wording")

    # The page stays open: nothing puts Alice's discarded copy back, now or after a reload.
    alice_page.wait_for_timeout(10_000)
    assert stored(response, "q1_comments") == "Bob's wording"
    alice_page.reload()
    alice_page.wait_for_timeout(5_000)
    expect(alice_page.get_by_label(COMMENTS)).to_have_value("Bob's wording")
    expect(alice_page.get_by_text("unsaved text from an earlier visit")).to_have_count(0)
    assert stored(response, "q1_comments") == "Bob's wording"


def test_a_conflict_resolved_as_mine_keeps_mine_and_leaves_no_stale_copy(
    browser: Browser, live_server, officials
):
    response = officials[0]
    alice_page, _ = comment_conflict(browser, live_server.url, officials)
    alice_page.get_by_label("Mine").check()
    alice_page.get_by_role("button", name="Save", exact=True).click()
    expect(alice_page.get_by_label(COMMENTS)).to_have_value("Alice's wording")
    alice_page.wait_for_timeout(10_000)
    assert stored(response, "q1_comments") == "Alice's wording"
    alice_page.reload()
    alice_page.wait_for_timeout(2_000)
    expect(alice_page.get_by_text("unsaved text from an earlier visit")).to_have_count(0)
    expect(alice_page.get_by_label(COMMENTS)).to_have_value("Alice's wording")


def test_text_typed_half_a_second_before_leaving_reaches_the_server(browser: Browser, live_server, officials):
    response = officials[0]
    page = open_question(browser, live_server.url, "fr.alice", response)
    page.on("dialog", lambda dialog: dialog.accept())  # "Leave the page?" while a save is on its way
    page.get_by_label(COMMENTS).fill("Typed just before leaving")
    page.wait_for_timeout(500)
    page.get_by_role("link", name="Question 2 →").click()
    page.wait_for_url("**/questions/2/")
    wait_for_saved_answer("q1_comments", "Typed just before leaving", timeout=10)

    # Once everything is saved, leaving asks nothing.
    asked: list[str] = []
    page.on("dialog", lambda dialog: asked.append(dialog.type))
    page.get_by_role("link", name="← Question 1").click()
    page.wait_for_url("**/questions/1/")
    assert asked == []


def test_text_typed_offline_is_merged_with_a_colleagues_change_when_back_online(
    browser: Browser, live_server, officials
):
    response, _, bob = officials
    page = open_question(browser, live_server.url, "fr.alice", response)
    page.context.set_offline(True)
    page.get_by_label(COMMENTS).fill("Written on the train")
    expect(page.get_by_test_id("autosave-status")).to_contain_text("no connection", timeout=15_000)
    # Meanwhile Bob answers another field of the same question.
    response_save_draft(
        response=response,
        user=bob,
        answers={"q1_participate": "undecided"},
        base_version=Response.objects.get(pk=response.pk).current_number,
    )
    page.context.set_offline(False)
    wait_for_saved_answer("q1_comments", "Written on the train", timeout=15)
    assert stored(response, "q1_participate") == "undecided"  # merged, not overwritten
    expect(page.locator("input[name=q1_participate][value=undecided]")).to_be_checked(timeout=10_000)


def test_badges_follow_each_autosave_and_presence_drops_who_left(browser: Browser, live_server, officials):
    response = officials[0]
    alice_page = open_question(browser, live_server.url, "fr.alice", response, number=2)
    expect(alice_page.get_by_test_id("progress-q2")).to_have_text("Not started")
    bob_page = open_question(browser, live_server.url, "fr.bob", response, number=3)
    expect(alice_page.get_by_test_id("presence")).to_contain_text("fr.bob", timeout=20_000)

    alice_page.get_by_label("Total personnel proposed for the contingent").fill("12000")
    expect(alice_page.get_by_test_id("progress-q2")).not_to_have_text("Not started", timeout=15_000)

    left_at = time.monotonic()
    bob_page.context.close()
    expect(alice_page.get_by_test_id("presence")).not_to_contain_text("fr.bob", timeout=25_000)
    assert time.monotonic() - left_at < 25


def test_the_country_picker_starts_each_choice_from_an_empty_search(browser: Browser, live_server, officials):
    response = officials[0]
    page = open_question(browser, live_server.url, "fr.alice", response)
    search = page.locator("#id_q1_other_contributors-ts-control")  # Tom Select's search box
    expect(search).to_have_attribute(
        "aria-label", "Other countries that might take part (European or third countries)"
    )
    search.click()
    search.press_sequentially("Monac")
    expect(page.locator(".ts-dropdown .option.active")).to_have_text("Monaco")  # the search has run
    page.keyboard.press("Enter")
    expect(page.locator(".ts-control .item", has_text="Monaco")).to_be_visible()
    expect(search).to_have_value("")
    search.press_sequentially("Norw")
    expect(page.locator(".ts-dropdown .option.active")).to_have_text("Norway")
    page.keyboard.press("Enter")
    expect(page.locator(".ts-control .item", has_text="Norway")).to_be_visible()
    # Script on: the hint about Ctrl-clicking the plain list is not shown.
    expect(page.locator("#hint_q1_other_contributors")).to_be_hidden()
