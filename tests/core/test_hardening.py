import re
import time
from pathlib import Path

import pytest
from axes.utils import reset
from django.contrib.sessions.models import Session
from django.urls import reverse

from tests.accounts.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Documents that are downloaded or printed, not pages of the app: they carry their own styles.
STANDALONE = {"report_document.html", "report_pdf.html"}


def test_every_page_carries_a_strict_content_security_policy(client, us_round):
    policy = client.get(reverse("login"))["Content-Security-Policy"]

    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "form-action 'self'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy


def test_templates_have_no_inline_script_or_style():
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        if template.name in STANDALONE:
            continue
        text = template.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)", text) or re.search(r"\sstyle=\"", text) or "<style" in text:
            offenders.append(str(template.relative_to(TEMPLATES)))
        if re.search(r"\son[a-z]+=\"", text):
            offenders.append(f"{template.relative_to(TEMPLATES)} (inline event handler)")
    assert offenders == []


def test_repeated_failures_lock_the_account_and_say_so(client, us_round, settings):
    UserFactory(username="fr.drafter")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "fr.drafter", "password": "wrong"})

    locked = client.post(reverse("login"), {"username": "fr.drafter", "password": TEST_PASSWORD})

    assert locked.status_code == 429
    html = locked.content.decode()
    assert 'data-testid="locked-out"' in html
    assert "ask the coordinator to lift the lock" in html
    assert "_auth_user_id" not in client.session

    reset(username="fr.drafter")  # what the coordinator's unlock does
    unlocked = client.post(reverse("login"), {"username": "fr.drafter", "password": TEST_PASSWORD})
    assert unlocked.status_code == 302


def test_a_few_failures_do_not_lock(client, us_round):
    UserFactory(username="de.drafter")
    client.post(reverse("login"), {"username": "de.drafter", "password": "wrong"})

    assert (
        client.post(reverse("login"), {"username": "de.drafter", "password": TEST_PASSWORD}).status_code
        == 302
    )


def test_background_polling_does_not_keep_an_idle_session_alive(client, us_round, settings):

    user = UserFactory()
    client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})
    key = client.session.session_key

    def expiry():
        return Session.objects.get(session_key=key).expire_date

    settings.SESSION_RENEW_SECONDS = 1
    start = expiry()
    time.sleep(1.1)
    client.post(reverse("responses:presence", args=[999999]), {"question": "1"})  # a heartbeat (404 here)
    assert expiry() == start
    client.get(reverse("home"))  # the person does something
    assert expiry() > start
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def test_a_burst_of_requests_writes_the_session_once_a_minute(
    client, us_round, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = UserFactory()
    client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            client.get(reverse("home"))
    writes = [q["sql"] for q in queries if "django_session" in q["sql"] and q["sql"].startswith("UPDATE")]
    assert writes == []
