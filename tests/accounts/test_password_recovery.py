"""A lost password is recovered by its owner alone, through a single-use, expiring link sent to
the owner's address. A coordinator may send that link, never complete the recovery."""

import datetime as dt
import re
import secrets

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from audit.models import AuditEvent
from tests.accounts.factories import TEST_PASSWORD, CoordinatorFactory, UserFactory

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Quite-another-phrase-2026"


@pytest.fixture(autouse=True)
def _no_request_limit(settings):
    """Redis keeps the per-address counts between tests (it is not flushed: it is also the
    broker); the limit has its own test, from an address of its own."""
    settings.PASSWORD_RESETS_PER_WINDOW = 10**6


def link_in_mail() -> str:
    return re.search(r"https?://\S+/accounts/reset/\S+/", mail.outbox[-1].body).group(0)


def choose_password(client, link: str, password: str = NEW_PASSWORD):
    form = client.get(link, follow=True)  # Django swaps the token for a session marker first
    return client.post(form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})


def test_the_owner_asks_for_a_link_and_it_works_once(client):
    user = UserFactory(email="owner@example.invalid")

    asked = client.post(reverse("password_reset"), {"email": "owner@example.invalid"})
    assert asked.status_code == 302
    assert mail.outbox[-1].to == ["owner@example.invalid"]
    link = link_in_mail()

    assert choose_password(client, link).status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # Single use: the link is bound to the password it replaced.
    again = client.get(link, follow=True)
    assert 'data-testid="reset-link-invalid"' in again.content.decode()


def test_an_unknown_address_looks_the_same_and_sends_nothing(client):
    UserFactory(email="owner@example.invalid")
    answer = client.post(reverse("password_reset"), {"email": "nobody@example.invalid"})
    assert answer.status_code == 302 and answer["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


@override_settings(PASSWORD_RESET_TIMEOUT=60)
def test_a_link_expires(client, monkeypatch):
    UserFactory(email="owner@example.invalid")
    client.post(reverse("password_reset"), {"email": "owner@example.invalid"})
    link = link_in_mail()

    later = dt.datetime.now() + dt.timedelta(minutes=5)  # noqa: DTZ005 (as the token generator counts)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)
    page = client.get(link, follow=True)
    assert 'data-testid="reset-link-invalid"' in page.content.decode()


def test_a_coordinator_sends_the_link_to_the_owner_and_cannot_use_it(client):
    coordinator = CoordinatorFactory(email="coordinator@example.invalid")
    drafter = UserFactory(email="drafter@example.invalid")
    client.force_login(coordinator)

    answer = client.post(reverse("coordination:user_detail", args=[drafter.pk]), {"action": "password_link"})

    assert answer.status_code == 302
    assert mail.outbox[-1].to == ["drafter@example.invalid"]  # never the coordinator's address
    assert AuditEvent.objects.filter(action="account.password_link", user=coordinator).exists()
    # The coordinator learns no link from the page, and the account's password is unchanged.
    page = client.get(reverse("coordination:user_detail", args=[drafter.pk])).content.decode()
    assert "/accounts/reset/" not in page
    drafter.refresh_from_db()
    assert drafter.check_password(TEST_PASSWORD)


def test_the_sign_in_page_offers_the_recovery(client):
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()


def test_requests_are_limited_per_client_address(client, settings):
    settings.PASSWORD_RESETS_PER_WINDOW = 2
    UserFactory(email="owner@example.invalid")
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    for _ in range(4):
        answer = client.post(
            reverse("password_reset"), {"email": "owner@example.invalid"}, REMOTE_ADDR=address
        )
        assert answer["Location"] == reverse("password_reset_done")  # the same answer every time
    assert len(mail.outbox) == 2
