"""English, French and German: the browser's language decides at first, then the switcher and
the account's preference; <html lang> follows; numbers and dates are written as each language
writes them; and the French and German catalogues are complete, with every placeholder kept."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core import mail
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from coordination.services import reminders_send_now
from core.numbers import figure
from responses.models import Country, Membership
from tests.accounts.factories import AnalystFactory, CoordinatorFactory
from tests.responses.factories import MembershipFactory

LOCALE = Path(settings.BASE_DIR) / "locale"
# As `make messages` runs it.
MAKEMESSAGES_IGNORE = [
    f"--ignore={p}" for p in (".venv", ".venv-scan", "staticfiles", "tests", "benchmarks", "node_modules")
]
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sd]|%[sd]|\{[a-z_0-9]*\}")


def html_lang(page) -> str:
    return re.search(r'<html lang="([^"]+)"', page.content.decode()).group(1)


@pytest.mark.django_db
class TestChoosingALanguage:
    def test_the_browsers_language_decides_at_first(self, client):
        page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.5")
        assert html_lang(page) == "fr"
        assert "Se connecter" in page.content.decode()
        german = Client().get(reverse("login"), HTTP_ACCEPT_LANGUAGE="de-DE")
        assert html_lang(german) == "de"
        assert Client().get(reverse("login"), HTTP_ACCEPT_LANGUAGE="it").status_code == 200

    def test_every_page_offers_the_switcher_with_each_language_in_its_own_name(self, client):
        page = client.get(reverse("login")).content.decode()
        assert 'data-testid="language-switcher"' in page
        for code, name in (("en", "English"), ("fr", "Français"), ("de", "Deutsch")):
            assert f'<option value="{code}" lang="{code}"' in page and name in page
        assert '<label class="visually-hidden" for="language-choice">' in page

    def test_a_signed_in_persons_choice_is_kept_on_the_account_over_the_browser(self):
        analyst = AnalystFactory()
        client = Client(HTTP_ACCEPT_LANGUAGE="fr")
        client.force_login(analyst)
        answer = client.post(reverse("accounts:language"), {"language": "de", "next": reverse("home")})
        assert answer.status_code == 302 and answer["Location"] == reverse("home")
        analyst.refresh_from_db()
        assert analyst.language == "de"
        assert html_lang(client.get(reverse("home"))) == "de"
        # A new session, another browser set to French: the account's language decides.
        elsewhere = Client(HTTP_ACCEPT_LANGUAGE="fr")
        elsewhere.post(reverse("login"), {"username": analyst.username, "password": "password"})
        elsewhere.force_login(analyst)
        assert html_lang(elsewhere.get(reverse("home"))) == "de"

    def test_signing_in_brings_the_accounts_language(self, client):
        analyst = AnalystFactory(language="fr")
        client.post(reverse("login"), {"username": analyst.username, "password": "correct-horse-battery"})
        client.force_login(analyst)
        assert html_lang(client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="de")) == "fr"

    def test_someone_signed_out_chooses_for_this_browser_only(self, client):
        answer = client.post(reverse("accounts:language"), {"language": "fr", "next": reverse("login")})
        assert answer.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
        assert html_lang(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="de")) == "fr"

    def test_an_unknown_language_or_a_foreign_next_changes_nothing(self, client):
        analyst = AnalystFactory(language="en")
        client.force_login(analyst)
        refused = client.post(reverse("accounts:language"), {"language": "xx", "next": reverse("home")})
        assert refused.status_code == 302
        analyst.refresh_from_db()
        assert analyst.language == "en"
        away = client.post(reverse("accounts:language"), {"language": "fr", "next": "https://evil.invalid/"})
        assert away["Location"] == reverse("home")

    def test_the_switcher_needs_a_post(self, client):
        assert client.get(reverse("accounts:language")).status_code == 405


class TestFormats:
    @pytest.mark.parametrize(
        ("language", "expected"), [("en", "12,345"), ("fr", "12\u202f345"), ("de", "12.345")]
    )
    def test_figures_are_grouped_as_the_language_groups_them(self, language, expected):
        with translation.override(language):
            assert figure(12345) == expected
            rendered = Template('{{ n|floatformat:"0g" }}').render(Context({"n": 12345}))
            assert rendered == expected

    @pytest.mark.parametrize(
        ("language", "expected"),
        [("en", "5 December 2026"), ("fr", "5 décembre 2026"), ("de", "5. Dezember 2026")],
    )
    def test_dates_are_written_as_the_language_writes_them(self, language, expected):
        when = timezone.datetime(2026, 12, 5, 14, 30, tzinfo=timezone.get_current_timezone())
        with translation.override(language):
            assert Template('{{ d|date:"DATE_FORMAT" }}').render(Context({"d": when})) == expected


class TestCatalogues:
    @pytest.mark.parametrize("language", ["fr", "de"])
    def test_every_message_is_translated_and_none_is_fuzzy(self, language):
        catalogues = sorted((LOCALE / language / "LC_MESSAGES").glob("*.po"))
        assert catalogues, f"no catalogue for {language}"
        for path in catalogues:
            catalogue = polib.pofile(str(path))
            untranslated = [e.msgid for e in catalogue.untranslated_entries()]
            fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
            assert untranslated == [], (
                f"{path.name}: {len(untranslated)} untranslated, e.g. {untranslated[:3]}"
            )
            assert fuzzy == [], f"{path.name}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:3]}"

    @pytest.mark.parametrize("language", ["fr", "de"])
    def test_every_translation_keeps_the_placeholders_of_its_message(self, language):
        problems = []
        for path in (LOCALE / language / "LC_MESSAGES").glob("*.po"):
            for entry in polib.pofile(str(path)).translated_entries():
                wanted = sorted(PLACEHOLDER.findall(entry.msgid))
                translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
                for text in translations:
                    if sorted(PLACEHOLDER.findall(text)) != wanted and not (
                        entry.msgid_plural and set(PLACEHOLDER.findall(text)) <= set(wanted)
                    ):
                        problems.append((entry.msgid, text))
        assert problems == []

    def test_the_catalogues_hold_every_message_the_code_has(self, tmp_path):
        """A string added to the code but not to the catalogues would show in English: a fresh
        extraction (makemessages on a copy of the code) must find no message they lack."""
        if shutil.which("xgettext") is None:
            pytest.fail("GNU gettext (xgettext) is needed to check the catalogues: apt-get install gettext")
        root = Path(settings.BASE_DIR)
        copy = tmp_path / "code"
        shutil.copytree(
            root,
            copy,
            ignore=shutil.ignore_patterns(
                ".venv*", ".git", "staticfiles", "node_modules", "test-artifacts", "*.mo"
            ),
        )
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-obsolete", *MAKEMESSAGES_IGNORE],
            cwd=copy,
            check=True,
            capture_output=True,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        )
        fresh = {e.msgid for e in polib.pofile(str(copy / "locale/fr/LC_MESSAGES/django.po"))}
        for language in ("fr", "de"):
            kept = {e.msgid for e in polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))}
            assert sorted(fresh - kept) == [], f"{language}: run make messages and translate these"


@pytest.mark.django_db
def test_mails_reach_each_person_in_their_own_language(us_round):
    france = Country.objects.get(code="FR")
    for language, email in (
        ("fr", "fr@example.invalid"),
        ("de", "de@example.invalid"),
        ("", "en@example.invalid"),
    ):
        MembershipFactory(
            country=france, role=Membership.Role.DRAFTER, user__email=email, user__language=language
        )

    reminders_send_now(round=us_round, user=CoordinatorFactory())

    by_address = {message.to[0]: message for message in mail.outbox}
    assert by_address["fr@example.invalid"].subject.startswith(
        "Rappel\u00a0: Arrangements de sécurité pour l'Ukraine"
    )
    assert by_address["de@example.invalid"].subject.startswith("Erinnerung")
    assert "Sicherheitsvereinbarungen für die Ukraine" in by_address["de@example.invalid"].subject
    assert by_address["en@example.invalid"].subject.startswith("Reminder: Security arrangements for Ukraine")
