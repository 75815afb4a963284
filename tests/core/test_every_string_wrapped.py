"""No unwrapped English on the main pages: they are rendered under a pseudo-language whose
catalogue writes every message of ours as ⟦message⟧; whatever visible text is left outside the
brackets must be data (country names, the questionnaire's texts, answers, names, dates and
figures) or one of Django's own messages, which Django's catalogues translate. Anything else is a
string someone forgot to wrap for translation."""

import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from audit.models import AuditEvent
from questionnaire.models import Field, Option, Question, Questionnaire, Round, Taxonomy
from reports.models import Report
from reports.services import report_build
from responses.models import Country, Membership, Response
from tests.accounts.factories import AnalystFactory, CoordinatorFactory
from tests.responses.factories import COMPLETE, MembershipFactory, submit

pytestmark = pytest.mark.django_db

PSEUDO = "xx"
WORD = re.compile(r"[A-Za-z][a-z]{2,}")
# Calendar words come from Django's date formatting (translated by Django's own catalogues).
CALENDAR = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|UTC|a\.m|p\.m)\b\.?"
)


class VisibleText(HTMLParser):
    """The text a person reads, and the attributes a screen reader says."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "svg"):
            self._skipping += 1
        for name, value in attrs:
            if name in ("aria-label", "title", "placeholder", "alt") and value:
                self.texts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "svg") and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping and data.strip():
            self.texts.append(data)


@pytest.fixture
def pseudo_language(tmp_path):
    """A catalogue for the pseudo-language, made from the French one's messages."""
    source = polib.pofile(str(Path(settings.BASE_DIR) / "locale/fr/LC_MESSAGES/django.po"))
    pseudo = polib.POFile()
    pseudo.metadata = {**source.metadata, "Language": PSEUDO, "Plural-Forms": "nplurals=2; plural=(n != 1);"}
    for entry in source:
        if entry.msgid_plural:
            forms = {0: f"⟦{entry.msgid}⟧", 1: f"⟦{entry.msgid_plural}⟧"}
            pseudo.append(
                polib.POEntry(
                    msgid=entry.msgid,
                    msgid_plural=entry.msgid_plural,
                    msgstr_plural=forms,
                    msgctxt=entry.msgctxt,
                )
            )
        else:
            pseudo.append(polib.POEntry(msgid=entry.msgid, msgstr=f"⟦{entry.msgid}⟧", msgctxt=entry.msgctxt))
    directory = tmp_path / "locale" / PSEUDO / "LC_MESSAGES"
    directory.mkdir(parents=True)
    pseudo.save_as_mofile(str(directory / "django.mo"))
    with override_settings(
        LOCALE_PATHS=[tmp_path / "locale", *settings.LOCALE_PATHS],
        LANGUAGES=[*settings.LANGUAGES, (PSEUDO, "Pseudo")],
    ):
        yield
    translation.trans_real._translations = {}


def data_texts() -> list[str]:
    """Everything on the pages that is data, longest first (so that a label containing another
    is removed whole)."""
    texts: set[str] = set()
    for model, names in (
        (Questionnaire, ("title", "description", "coordinator_name", "handling_marking")),
        (Taxonomy, ("name",)),
        (Option, ("label",)),
        (Question, ("title", "text", "help_text")),
        (Field, ("label", "help_text", "unit")),
        (Round, ("title", "handling_marking")),
    ):
        for obj in model.objects.all():
            for name in names:
                for code in ("", "_en"):
                    value = getattr(obj, name + code, "") if hasattr(obj, name + code) else ""
                    if value:
                        texts.add(str(value))
    texts |= {c.name for c in Country.objects.all()}
    for user in User.objects.all():
        texts |= {user.username, user.email, user.get_full_name()} - {""}
    # What an audit event records is data (the loader's change list, in its own terms).
    texts |= {str(event.detail) for event in AuditEvent.objects.all()}
    texts |= {str(v) for v in COMPLETE.values() if isinstance(v, str)}
    texts |= {"Allied Responses", "HTML", "XLSX", "PDF", "CSV", "English", "Français", "Deutsch", "Pseudo"}
    return sorted(texts, key=len, reverse=True)


def unwrapped(html: str, data: list[str]) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    left = []
    for text in parser.texts:
        text = re.sub(r"⟦.*?⟧", " ", " ".join(text.split()), flags=re.S)
        for value in data:
            text = text.replace(" ".join(value.split()), " ")
        text = CALENDAR.sub(" ", text)
        words = WORD.findall(text)
        if not words:
            continue
        # Django's own messages: its catalogues translate them (shown in English here only
        # because the pseudo-language has no catalogue of Django's).
        with translation.override("fr"):
            if translation.gettext(text.strip()) != text.strip():
                continue
        left.append(text.strip())
    return left


def pages_of(client: Client, urls: list[str]) -> dict[str, list[str]]:
    data = data_texts()
    found = {}
    for url in urls:
        page = client.get(url, HTTP_ACCEPT_LANGUAGE=PSEUDO)
        assert page.status_code == 200, url
        assert f'<html lang="{PSEUDO}">' in page.content.decode(), url
        if problems := unwrapped(page.content.decode(), data):
            found[url] = problems
    return found


def test_the_main_pages_leave_no_unwrapped_english(pseudo_language, us_round):
    france = Country.objects.get(code="FR")
    drafter = MembershipFactory(country=france, role=Membership.Role.DRAFTER).user
    response = submit(us_round, [Country.objects.get(code="DE")], COMPLETE)
    analyst, coordinator = AnalystFactory(), CoordinatorFactory()
    report = report_build(
        report_id=Report.objects.create(round=us_round, requested_by=analyst, formats=["csv"]).pk
    )
    found: dict[str, list[str]] = {}

    anonymous = Client()
    found |= pages_of(anonymous, [reverse("login"), reverse("password_reset")])

    staff = Client()
    staff.force_login(drafter)
    staff.post(reverse("responses:country", args=["FR"]))
    draft = Response.objects.get(authors=france)
    found |= pages_of(
        staff,
        [
            reverse("home"),
            reverse("responses:list"),
            reverse("responses:question", args=[draft.pk, 1]),
            reverse("responses:question", args=[draft.pk, 2]),
            reverse("responses:detail", args=[draft.pk]),
            reverse("responses:history", args=[draft.pk]),
            reverse("questionnaire:current"),
            reverse("accounts:security"),
        ],
    )

    reader = Client()
    reader.force_login(analyst)
    found |= pages_of(
        reader,
        [
            reverse("reports:comparison"),
            reverse("reports:troops"),
            reverse("reports:stationing"),
            reverse("reports:agreement"),
            reverse("reports:sanctions"),
            reverse("reports:list"),
            reverse("reports:new"),
            reverse("reports:detail", args=[report.pk]),
            reverse("responses:detail", args=[response.pk]),
        ],
    )

    lead = Client()
    lead.force_login(coordinator)
    found |= pages_of(
        lead,
        [
            reverse("reports:status"),
            reverse("coordination:users"),
            reverse("coordination:invitations"),
            reverse("coordination:rounds"),
            reverse("coordination:audit"),
        ],
    )

    assert found == {}, "\n".join(f"{url}: {texts}" for url, texts in found.items())
