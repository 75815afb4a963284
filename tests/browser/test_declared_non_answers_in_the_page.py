"""A declared non-answer in the page: declaring folds out beside the field and autosaves, and
typing an answer later replaces the declaration (a field holds one or the other), with nothing
typed lost."""

import pytest
from playwright.sync_api import Page, expect

from responses.models import Country, Membership, Response
from tests.browser.helpers import sign_in, wait_for_saved_answer
from tests.responses.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_typing_an_answer_replaces_a_declaration(page: Page, live_server, us_round):
    MembershipFactory(
        country=Country.objects.get(code="FR"), role=Membership.Role.DRAFTER, user__username="d"
    )
    sign_in(page, live_server.url, "d")
    page.goto(f"{live_server.url}/responses/country/fr/")
    page.get_by_role("button", name="Start the response").click()
    response = Response.objects.get()
    page.goto(f"{live_server.url}/responses/{response.pk}/questions/2/")

    force = page.locator("[data-field-key=q2_force_size]")
    force.get_by_text("Declare instead of answering").click()
    force.get_by_label("Declaration", exact=True).select_option("will_not_state")
    force.get_by_label("Reason for the declaration (optional)").fill("Cabinet has not decided.")
    wait_for_saved_answer(
        "q2_force_size", {"declared": "will_not_state", "reason": "Cabinet has not decided."}
    )

    page.reload()
    force = page.locator("[data-field-key=q2_force_size]")
    expect(force.locator("details")).to_have_attribute("open", "")  # in use: shown open
    force.get_by_label("Total personnel proposed for the contingent").fill("20000")
    expect(force.get_by_label("Declaration", exact=True)).to_have_value("")
    wait_for_saved_answer("q2_force_size", {"value": 20000, "figure_kind": None})
    expect(page.get_by_test_id("autosave-status")).to_contain_text("Saved at")
