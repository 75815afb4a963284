"""A lost second factor is recovered by its owner through a single-use, expiring link sent to
their own address; a coordinator sends the link and never completes the recovery."""

import re

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from tests.accounts.factories import CoordinatorFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lost_phone():
    owner = UserFactory(email="owner@example.invalid")
    TOTPDevice.objects.create(user=owner, name="Authenticator app", confirmed=True)
    StaticDevice.objects.create(user=owner, name="Backup codes", confirmed=True)
    return owner


def send_link(client, owner) -> str:
    coordinator = CoordinatorFactory(email="coordinator@example.invalid")
    client.force_login(coordinator)
    answer = client.post(reverse("coordination:user_detail", args=[owner.pk]), {"action": "reset_2fa"})
    assert answer.status_code == 302
    client.logout()
    assert mail.outbox[-1].to == ["owner@example.invalid"]
    return re.search(r"https?://\S+/accounts/two-factor/recover/\S+/", mail.outbox[-1].body).group(0)


def test_the_coordinator_sends_a_link_and_the_devices_stay_until_the_owner_uses_it(client, lost_phone):
    link = send_link(client, lost_phone)

    assert TOTPDevice.objects.filter(user=lost_phone).exists()  # nothing removed by the coordinator
    assert AuditEvent.objects.filter(action="2fa.link").exists()
    page = client.get(link)
    assert page.status_code == 200 and TOTPDevice.objects.filter(user=lost_phone).exists()  # GET uses nothing

    assert client.post(link).status_code == 302
    assert not TOTPDevice.objects.filter(user=lost_phone).exists()
    assert not StaticDevice.objects.filter(user=lost_phone).exists()
    event = AuditEvent.objects.get(action="2fa.reset")
    assert event.user == lost_phone and event.detail["by_owner"] is True
    # Used once: it matches nothing now.
    again = client.get(link)
    assert again.status_code == 400 and 'data-testid="recovery-link-invalid"' in again.content.decode()


def test_a_tampered_link_does_nothing(client, lost_phone):
    link = send_link(client, lost_phone)
    assert client.post(link[:-3] + "xx/").status_code == 400
    assert TOTPDevice.objects.filter(user=lost_phone).exists()


def test_a_link_expires(client, lost_phone):
    link = send_link(client, lost_phone)
    with override_settings(PASSWORD_RESET_TIMEOUT=-1):
        assert client.post(link).status_code == 400
    assert TOTPDevice.objects.filter(user=lost_phone).exists()
