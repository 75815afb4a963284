"""The answering journey in French and in German, as a drafter sees it: the language chosen with
the keyboard on the sign-in page, the questionnaire in that language, a declaration and a figure
autosaved, and the answers stored by option key whatever the page's language."""

import pytest
from playwright.sync_api import Page, expect

from responses.models import Country, Membership, Response
from tests.accounts.factories import TEST_PASSWORD
from tests.browser.conftest import screenshot
from tests.responses.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What each page must say, written out here (not read from the catalogues), so that a missing
# or wrong translation fails.
JOURNEY = {
    "fr": {
        "switch": "Changer de langue",
        "sign_in": "Se connecter",
        "start": "Commencer la réponse",
        "question": "Q1. Participation et troupes",
        "take_part": "Votre gouvernement participerait-il à des arrangements de sécurité pour l'Ukraine ?",
        "yes": "Oui",
        "declare": "Faire une déclaration au lieu de répondre",
        "no_position": "Pas de position à ce stade",
        "saved": "Enregistré à",
    },
    "de": {
        "switch": "Sprache ändern",
        "sign_in": "Anmelden",
        "start": "Antwort beginnen",
        "question": "F1. Beteiligung und Truppen",
        "take_part": "Würde sich Ihre Regierung an Sicherheitsvereinbarungen für die Ukraine beteiligen?",
        "yes": "Ja",
        "declare": "Erklärung statt Antwort abgeben",
        "no_position": "Derzeit keine Position",
        "saved": "Gespeichert um",
    },
}


@pytest.mark.parametrize("language", ["fr", "de"])
def test_a_drafter_answers_in_their_language(page: Page, live_server, us_round, language):
    words = JOURNEY[language]
    MembershipFactory(
        country=Country.objects.get(code="FR"), role=Membership.Role.DRAFTER, user__username="d"
    )
    page.goto(f"{live_server.url}/accounts/login/")

    # Keyboard only: the switcher's list, then its button.
    page.locator("#language-choice").focus()
    page.locator("#language-choice").select_option(language)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Change language")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("button", name=words["switch"])).to_be_visible()

    page.locator("input[name=username]").fill("d")
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.get_by_role("button", name=words["sign_in"]).click()
    page.goto(f"{live_server.url}/responses/country/fr/")
    page.get_by_role("button", name=words["start"]).click()
    expect(page.get_by_role("heading", name=words["question"])).to_be_visible()
    expect(page.get_by_text(words["take_part"])).to_be_visible()

    group = page.locator("[data-field-key=q1_participate]")
    group.get_by_label(words["yes"], exact=True).check()
    send = page.locator("[data-field-key=q1_send_troops]")
    send.get_by_text(words["declare"]).click()
    send.get_by_role("combobox").select_option(label=words["no_position"])
    expect(page.get_by_test_id("autosave-status")).to_contain_text(words["saved"], timeout=15_000)
    screenshot(page, f"journey-{language}-question-1")

    response = Response.objects.get()
    # Stored by option key, whatever the language of the page.
    assert response.answers["q1_participate"] == "yes"
    assert response.answers["q1_send_troops"] == {"declared": "no_position"}
