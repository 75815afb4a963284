"""A new person's journey with two-factor sign-in on: a coordinator (passing their own second
factor) invites them; they open the link, choose a password, set up an authenticator app from
the QR page, keep their backup codes and arrive signed in."""

import re
from base64 import b32decode

import pytest
from django.core import mail
from django.test import override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from accounts.models import User
from responses.models import Membership
from tests.accounts.factories import TEST_PASSWORD, CoordinatorFactory
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NEW_PASSWORD = "Odesa-harbour-convoy-9"


def code_for(key: bytes) -> str:
    return f"{TOTP(key).token():06d}"


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_invited_person_sets_a_password_and_a_second_factor(page: Page, live_server, countries):
    coordinator = CoordinatorFactory(username="coord.one")
    device = TOTPDevice.objects.create(user=coordinator, name="phone", confirmed=True)
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("coord.one")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Second factor")).to_be_visible()
    page.get_by_label("Code").fill(code_for(device.bin_key))
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("button", name="Coordination").click()
    page.get_by_role("link", name="Accounts", exact=True).click()
    page.get_by_role("link", name="Invite a person").click()
    page.get_by_label("Email address").fill("new.drafter@example.invalid")
    page.get_by_label("Role").select_option("drafter")
    page.get_by_label("Country").select_option(label="France")
    screenshot(page, "invitation-form")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_test_id("invitation-table")).to_contain_text("new.drafter@example.invalid")
    page.get_by_test_id("signed-in-as").click()
    page.get_by_role("button", name="Sign out").click()

    link = re.search(r"(https?://\S+/accounts/invitation/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(link)
    expect(page.get_by_text("France")).to_be_visible()
    page.get_by_label("User name").fill("fr.new")
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.get_by_label("Password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create my account").click()

    expect(page.get_by_role("heading", name="Set up your second factor")).to_be_visible()
    expect(page.get_by_role("img", name="QR code to scan with an authenticator app")).to_be_visible()
    screenshot(page, "two-factor-setup")
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill(code_for(b32decode(secret)))
    page.get_by_role("button", name="Confirm").click()

    codes = page.get_by_test_id("backup-codes").locator("code")
    expect(codes).to_have_count(10)
    screenshot(page, "backup-codes")
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("fr.new")

    user = User.objects.get(username="fr.new")
    assert Membership.objects.get(user=user).country.code == "FR"
    assert TOTPDevice.objects.get(user=user).confirmed
    # The link worked once.
    page.get_by_test_id("signed-in-as").click()
    page.get_by_role("button", name="Sign out").click()
    page.goto(link)
    expect(page.get_by_test_id("invitation-problem")).to_contain_text("already been used")
