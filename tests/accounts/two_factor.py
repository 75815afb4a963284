"""Helpers for tests that sign in with the second factor on."""

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.factories import TEST_PASSWORD


@pytest.fixture
def two_factor_on():
    with override_settings(TWO_FACTOR_REQUIRED=True):
        yield


def code_now(device: TOTPDevice) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def sign_in(client, user) -> None:
    """The password step only, through the real sign-in form."""
    page = client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})
    assert page.status_code == 302, page.content.decode()[:500]
