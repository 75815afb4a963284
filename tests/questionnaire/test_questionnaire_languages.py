"""The questionnaire in English, French and German: staff answer on a page in their language,
answers are stored by option key so that a French and a German answer compare as one option,
free text stays as typed and says in which language it was written, and the loader reports the
texts that lack a translation."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from questionnaire.loader import DefinitionError, questionnaire_load
from questionnaire.models import Question
from responses.models import Country, Membership, Response
from tests.accounts.factories import AnalystFactory
from tests.questionnaire.factories import write_variant
from tests.responses.factories import MembershipFactory, answered_and_submitted, pages

pytestmark = pytest.mark.django_db


def staff_client(code: str, language: str) -> tuple[Client, Response]:
    country = Country.objects.get(code=code)
    user = MembershipFactory(country=country, role=Membership.Role.DRAFTER, user__language=language).user
    client = Client()
    client.force_login(user)  # signing in brings the account's language
    client.post(reverse("responses:country", args=[code]))
    return client, Response.objects.get(authors=country)


def test_a_french_drafter_answers_on_a_french_page(us_round):
    client, response = staff_client("FR", "fr")
    page = client.get(reverse("responses:question", args=[response.pk, 1])).content.decode()
    assert '<html lang="fr">' in page
    assert "Participation et troupes" in page
    assert "votre gouvernement enverrait-il des troupes en Ukraine" in page
    assert "Oui, sous conditions" in page
    assert "Participation and troops" not in page


def test_french_and_german_answers_compare_as_one_option_and_free_text_says_its_language(us_round):
    for code, language in (("FR", "fr"), ("DE", "de")):
        answers = pages(q1={"q1_participate": "yes_with_conditions", "q1_participate_conditions": "x"})
        answers[1]["q1_comments"] = {
            "fr": "Sous réserve du Parlement.",
            "de": "Vorbehaltlich des Bundestages.",
        }[language]
        answered_and_submitted(code, answers, language=language)
    analyst = AnalystFactory()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(analyst)
    page = client.get(reverse("reports:comparison")).content.decode()
    # One option, counted twice, named in the reader's language; the answers stay as typed.
    assert "Yes, with conditions: <strong>2</strong>" in page
    assert '<span lang="fr">Sous réserve du Parlement.</span>' in page
    assert '<span lang="de">Vorbehaltlich des Bundestages.</span>' in page
    assert "(written in French)" in page and "(written in German)" in page

    in_german = Client()
    analyst.language = "de"
    analyst.save()
    in_german.force_login(analyst)
    german = in_german.get(reverse("reports:comparison")).content.decode()
    assert "Ja, unter Bedingungen: <strong>2</strong>" in german
    # Country names too are in the reader's language.
    assert 'data-testid="column">Deutschland' in german and 'data-testid="column">Frankreich' in german
    assert 'data-testid="column">Germany' in page
    assert "(verfasst auf Französisch)" in german


def test_the_loader_reports_texts_without_a_translation_and_shows_english_there(definition_copy):
    write_variant(definition_copy, "      fr: Participation et troupes\n", "")
    report = questionnaire_load(path=definition_copy)
    assert report.untranslated["fr"] == ["question q1 title"]
    assert report.untranslated["de"] == []
    question = Question.objects.get(questionnaire=report.questionnaire, number=1)
    with translation.override("fr"):
        assert question.title == "Participation and troops"  # the English text, not nothing
        assert question.text.startswith("Quels pays européens")
    with translation.override("de"):
        assert question.title == "Beteiligung und Truppen"


def test_a_definition_text_in_an_unknown_language_is_refused(definition_copy):
    write_variant(
        definition_copy, "      fr: Participation et troupes\n", "      it: Partecipazione e truppe\n"
    )
    with pytest.raises(DefinitionError, match="unknown language"):
        questionnaire_load(path=definition_copy)
