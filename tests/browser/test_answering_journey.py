"""The whole journey of the people who answer, as they see it in a browser."""

import re

import pytest
from playwright.sync_api import Page, expect

from responses.models import Country, Membership, Response
from tests.browser.conftest import screenshot
from tests.browser.helpers import sign_in, wait_for_saved_answer
from tests.responses.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page: Page) -> None:
    page.get_by_test_id("signed-in-as").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def wait_saved(page: Page) -> None:
    expect(page.get_by_test_id("autosave-status")).to_contain_text("Saved at", timeout=15_000)


def save_and_continue(page: Page) -> None:
    page.get_by_role("button", name=re.compile("Save and (continue|review)")).click()


def test_drafter_answers_six_questions_over_two_visits_and_the_approver_submits(
    page: Page, live_server, us_round
):
    france = Country.objects.get(code="FR")
    MembershipFactory(country=france, role=Membership.Role.DRAFTER, user__username="fr.drafter")
    MembershipFactory(country=france, role=Membership.Role.APPROVER, user__username="fr.approver")
    base = live_server.url

    # First visit: the drafter starts France's response and answers question 1.
    sign_in(page, base, "fr.drafter")
    page.get_by_role("link", name="Responses", exact=True).click()
    page.get_by_role("link", name="Open France").click()
    page.get_by_role("button", name="Start the response").click()
    expect(page.get_by_role("heading", name="Q1. Participation and troops")).to_be_visible()

    troops = page.get_by_label("Troops your government would offer")
    expect(troops).to_be_hidden()
    page.locator("input[name=q1_participate][value=yes]").check()
    page.locator("input[name=q1_send_troops][value=yes_with_conditions]").check()
    expect(troops).to_be_visible()  # shown as soon as the answer allows it
    troops.fill("1200")
    page.locator("input[name=q1_troops_offered__kind][value=official]").check()
    page.get_by_label("Conditions for sending troops").fill("A ceasefire and a clear mandate.")
    page.get_by_label("Air policing").check()
    page.get_by_label("Training and advising Ukrainian forces").check()
    page.locator("#id_q1_other_contributors-ts-control").fill("Pola")
    page.locator(".ts-dropdown .option", has_text="Poland").click()
    expect(page.locator(".ts-control .item", has_text="Poland")).to_be_visible()
    wait_for_saved_answer("q1_other_contributors", ["PL"])
    wait_saved(page)
    screenshot(page, "journey-01-question-1-autosaved")

    # Leaves without pressing a button, and comes back another day.
    sign_out(page)
    sign_in(page, base, "fr.drafter")
    page.get_by_role("link", name="Responses", exact=True).click()
    page.get_by_role("link", name="Open France").click()
    page.get_by_role("link", name="Edit answers").click()
    expect(page.get_by_label("Troops your government would offer")).to_have_value("1200")
    expect(page.get_by_label("Air policing")).to_be_checked()
    expect(page.locator(".ts-control .item", has_text="Poland")).to_be_visible()
    save_and_continue(page)

    # Q2
    page.get_by_label("Total personnel proposed for the contingent").fill("30000")
    page.locator("input[name=q2_posture][value=mixed]").check()
    page.get_by_label("Kyiv and central Ukraine").check()
    page.locator("input[name=q2_command][value=lead_nation]").check()
    page.locator("input[name=q2_duration_kind][value=fixed_term]").check()
    page.get_by_label("Length of the fixed term").fill("36")
    save_and_continue(page)
    expect(page.get_by_test_id("progress-q2")).to_have_text("Answered")
    # Q3
    page.locator("input[name=q3_us_support_needed][value=precondition]").check()
    page.locator("#div_id_q3_short_term").get_by_label("Air and missile defence").check()
    page.locator("input[name=q3_backstop_precondition][value=yes]").check()
    save_and_continue(page)
    # Q4
    page.locator("input[name=q4_rules_of_engagement][value=mission_defence]").check()
    page.locator("input[name=q4_commitment_form][value=political_declaration]").check()
    save_and_continue(page)
    # Q5
    page.locator("input[name=q5_maintenance][value=yes]").check()
    page.locator("input[name=q5_coproduction][value=planned]").check()
    save_and_continue(page)
    # Q6: the comment is typed and the tab closed before autosave runs; nothing is lost.
    page.locator("input[name=q6_willing][value=yes_nationally]").check()
    page.locator("input[name=q6_timing][value=within_3_months]").check()
    wait_saved(page)
    page.get_by_label("Comments on sanctions").fill("Typed just before the tab was closed.")
    question_6 = page.url
    # Closing the tab: no beforeunload; the page sends the waiting save as it goes (pagehide),
    # and if that did not arrive, the local copy brings the text back and saves it.
    page.close()
    page = page.context.new_page()
    page.goto(question_6)
    expect(page.get_by_label("Comments on sanctions")).to_have_value("Typed just before the tab was closed.")
    wait_for_saved_answer("q6_comments", "Typed just before the tab was closed.")
    screenshot(page, "journey-02-question-6-restored")
    save_and_continue(page)
    for number in range(1, 7):
        expect(page.get_by_test_id(f"progress-q{number}")).to_have_text("Answered")
    screenshot(page, "journey-03-overview-complete")
    sign_out(page)

    # The approver reads it all once more and submits on behalf of the government.
    sign_in(page, base, "fr.approver")
    page.get_by_role("link", name="Responses", exact=True).click()
    page.get_by_role("link", name="Open France").click()
    page.get_by_role("link", name="Review and submit").click()
    expect(page.get_by_text("1,200 personnel (official figure)")).to_be_visible()
    expect(page.get_by_text("Typed just before the tab was closed.")).to_be_visible()
    screenshot(page, "journey-04-review")
    page.get_by_test_id("confirm-submit").click()
    expect(page.get_by_text("Submitted on behalf of the government.")).to_be_visible()
    screenshot(page, "journey-05-submitted")

    response = Response.objects.get()
    assert response.status == Response.Status.SUBMITTED
    answers = response.submitted_version.answers
    assert answers["q1_troops_offered"] == {"value": 1200, "figure_kind": "official"}
    assert answers["q1_other_contributors"] == ["PL"]
    assert answers["q2_duration_months"] == 36
    assert answers["q6_comments"] == "Typed just before the tab was closed."


def test_a_failed_autosave_says_why_keeps_the_text_and_retries(page: Page, live_server, us_round):
    france = Country.objects.get(code="FR")
    MembershipFactory(country=france, role=Membership.Role.DRAFTER, user__username="fr.drafter")
    base = live_server.url
    sign_in(page, base, "fr.drafter")
    page.goto(f"{base}/responses/country/fr/")
    page.get_by_role("button", name="Start the response").click()
    page.wait_for_load_state("load")  # the page's scripts are in before the network goes

    page.context.set_offline(True)
    page.get_by_label("Comments on participation and troops").fill("Written while the network was down.")
    expect(page.get_by_test_id("autosave-status")).to_contain_text("Not saved: no connection", timeout=15_000)
    expect(page.get_by_label("Comments on participation and troops")).to_have_value(
        "Written while the network was down."
    )
    screenshot(page, "autosave-offline")
    page.context.set_offline(False)
    expect(page.get_by_test_id("autosave-status")).to_contain_text("Saved at", timeout=30_000)
    assert Response.objects.get().answers["q1_comments"] == "Written while the network was down."

    page.context.clear_cookies()  # the session has expired
    page.get_by_label("Comments on participation and troops").fill("Written after the session expired.")
    expect(page.get_by_test_id("autosave-status")).to_contain_text("session has expired", timeout=15_000)
    expect(page.get_by_label("Comments on participation and troops")).to_have_value(
        "Written after the session expired."
    )


def test_the_form_works_on_a_tablet_and_by_keyboard(page: Page, live_server, us_round):
    MembershipFactory(
        country=Country.objects.get(code="FR"), role=Membership.Role.DRAFTER, user__username="fr.drafter"
    )
    page.set_viewport_size({"width": 820, "height": 1180})
    sign_in(page, live_server.url, "fr.drafter")
    page.goto(f"{live_server.url}/responses/country/fr/")
    page.get_by_role("button", name="Start the response").click()

    # Keyboard only: tab to the first radio group and choose with the arrow keys.
    page.locator("input[name=q1_participate][value=yes]").focus()
    page.keyboard.press("ArrowDown")
    expect(page.locator("input[name=q1_participate][value=yes_with_conditions]")).to_be_checked()
    expect(page.get_by_label("Conditions for taking part")).to_be_visible()
    # The field's folded "declare instead" comes next, then the next field.
    page.keyboard.press("Tab")
    expect(page.locator("[data-field-key=q1_participate] details summary")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Conditions for taking part")).to_be_focused()
    page.keyboard.type("Only with a mandate.")
    wait_saved(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 820, f"the page scrolls sideways on a tablet ({width}px)"
    screenshot(page, "tablet-question-1")


def test_a_warning_comes_before_the_session_ends_and_staying_signed_in_works(
    page: Page, live_server, us_round, settings
):
    settings.SESSION_COOKIE_AGE = 8  # the warning shows at half-time for such a short session
    MembershipFactory(
        country=Country.objects.get(code="FR"), role=Membership.Role.DRAFTER, user__username="fr.drafter"
    )
    sign_in(page, live_server.url, "fr.drafter")

    warning = page.get_by_test_id("session-warning")
    expect(warning).to_contain_text("signed out in two minutes", timeout=10_000)
    page.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()

    expect(warning).to_contain_text("You have been signed out because of inactivity", timeout=20_000)
    page.reload()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
