"""Passing the second factor starts a new session key, as password sign-in does: a key known
before (planted in the victim's browser, or read off the wire) never becomes a verified one."""

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.factories import UserFactory
from tests.accounts.two_factor import sign_in

pytestmark = pytest.mark.django_db


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_the_session_key_changes_when_the_second_factor_is_passed(client):
    user = UserFactory()
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True).token_set.create(
        token="abcdefgh"
    )
    sign_in(client, user)
    before = client.cookies[settings.SESSION_COOKIE_NAME].value

    assert client.post(reverse("accounts:two_factor_verify"), {"code": "abcdefgh"}).status_code == 302

    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert client.get(reverse("home")).status_code == 200
    # Whoever holds the key from before the second factor holds nothing verified.
    fixed = Client()
    fixed.cookies[settings.SESSION_COOKIE_NAME] = before
    assert fixed.get(reverse("home")).status_code == 302
