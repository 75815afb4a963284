"""Two-factor sign-in: with TWO_FACTOR_REQUIRED a password opens nothing until a code from an
authenticator app (or a backup code) is typed; a person without one sets it up first."""

import re

import pytest
from django.core.checks import run_checks
from django.test import override_settings
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from tests.accounts.factories import AnalystFactory, CoordinatorFactory, UserFactory
from tests.accounts.two_factor import code_now, sign_in, two_factor_on  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("two_factor_on")]


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def test_first_sign_in_leads_to_enrolment_and_backup_codes(client):
    user = UserFactory()
    sign_in(client, user)

    blocked = client.get(reverse("responses:list"))
    assert blocked.status_code == 302
    assert blocked["Location"].startswith(reverse("accounts:two_factor_setup"))

    setup = client.get(reverse("accounts:two_factor_setup"))
    text = setup.content.decode()
    assert 'src="data:image/svg+xml' in text and 'data-testid="totp-secret"' in text
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    # The same device on reload: a code already scanned stays valid.
    client.get(reverse("accounts:two_factor_setup"))
    assert TOTPDevice.objects.filter(user=user).count() == 1

    wrong = client.post(reverse("accounts:two_factor_setup"), {"code": "000000"})
    assert "That code does not match" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    device.throttle_reset()
    done = client.post(reverse("accounts:two_factor_setup"), {"code": code_now(device)})
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("responses:list")).status_code == 200
    assert AuditEvent.objects.filter(user=user, action="2fa.enrol").exists()


def test_later_sign_ins_ask_for_a_code_and_backup_codes_work_once(client):
    user = UserFactory()
    device = enrolled(user)
    static = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    static.token_set.create(token="abcdefgh")

    sign_in(client, user)
    home = client.get(reverse("home"))
    assert home["Location"].startswith(reverse("accounts:two_factor_verify"))
    # A person holding only the password cannot swap the authenticator for their own.
    swap = client.get(reverse("accounts:two_factor_setup"))
    assert swap.status_code == 302 and swap["Location"].startswith(reverse("accounts:two_factor_verify"))

    wrong = client.post(reverse("accounts:two_factor_verify"), {"code": "123456", "next": "/responses/"})
    assert "That code is not right" in wrong.content.decode()
    assert client.get(reverse("home")).status_code == 302

    static.throttle_reset()
    device.throttle_reset()
    used = client.post(reverse("accounts:two_factor_verify"), {"code": "ABCD EFGH", "next": "/responses/"})
    assert used.status_code == 302 and used["Location"] == "/responses/"
    assert client.get(reverse("home")).status_code == 200

    client.post(reverse("logout"))
    sign_in(client, user)
    again = client.post(reverse("accounts:two_factor_verify"), {"code": "abcdefgh"})
    assert again.status_code == 200, "a backup code works once"

    device.refresh_from_db()
    device.throttle_reset()
    ok = client.post(reverse("accounts:two_factor_verify"), {"code": code_now(device)})
    assert ok.status_code == 302 and client.get(reverse("home")).status_code == 200


def test_wrong_codes_in_a_row_are_throttled_with_an_explanation(client):
    user = UserFactory()
    device = enrolled(user)
    sign_in(client, user)
    client.post(reverse("accounts:two_factor_verify"), {"code": "000000"})
    # Even the right code is refused while the wait lasts (1 s, 2 s, 4 s... after each failure).
    throttled = client.post(reverse("accounts:two_factor_verify"), {"code": code_now(device)})
    assert "Too many wrong codes" in throttled.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_the_next_parameter_cannot_send_elsewhere(client):
    user = UserFactory()
    device = enrolled(user)
    sign_in(client, user)
    page = client.post(
        reverse("accounts:two_factor_verify"), {"code": code_now(device), "next": "https://evil.example/"}
    )
    assert page["Location"] == reverse("home")


def test_sign_out_works_before_the_second_factor(client):
    sign_in(client, UserFactory())
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_admin_needs_a_verified_coordinator(client):
    coordinator = CoordinatorFactory()
    device = enrolled(coordinator)
    sign_in(client, coordinator)
    assert client.get("/admin/").status_code == 302
    client.post(reverse("accounts:two_factor_verify"), {"code": code_now(device)})
    assert client.get("/admin/").status_code == 200
    # An analyst flagged as staff still has no admin: the same rules as the app's pages.
    analyst = AnalystFactory(is_staff=True)
    client.force_login(analyst)
    assert client.get("/admin/").status_code == 302


def test_new_backup_codes_replace_the_old(client):
    user = UserFactory()
    device = enrolled(user)
    sign_in(client, user)
    client.post(reverse("accounts:two_factor_verify"), {"code": code_now(device)})
    first = re.findall(
        r"<li><code>([a-z2-7]+)</code></li>", client.post(reverse("accounts:security")).content.decode()
    )
    second = re.findall(
        r"<li><code>([a-z2-7]+)</code></li>", client.post(reverse("accounts:security")).content.decode()
    )
    assert len(second) == 10 and not set(first) & set(second)
    assert StaticDevice.objects.get(user=user).token_set.count() == 10
    assert "10 backup codes left" in client.get(reverse("accounts:security")).content.decode()


def test_deploy_check_warns_when_two_factor_is_off():
    assert not [m for m in run_checks(include_deployment_checks=True) if m.id == "accounts.W001"]
    with override_settings(TWO_FACTOR_REQUIRED=False):
        warnings = [m for m in run_checks(include_deployment_checks=True) if m.id == "accounts.W001"]
    assert len(warnings) == 1
    # Not a deployment run: no warning for the local demo.
    with override_settings(TWO_FACTOR_REQUIRED=False):
        assert not [m for m in run_checks() if m.id == "accounts.W001"]


@pytest.mark.parametrize(
    ("name", "anonymous", "signed_in"),
    [
        ("two_factor_setup", 302, 200),
        ("two_factor_verify", 302, 200),
        ("security", 302, 302),  # before the second factor, only its own pages open
    ],
)
def test_account_pages_need_a_sign_in(client, name, anonymous, signed_in):
    user = UserFactory()
    enrolled(user)
    url = reverse(f"accounts:{name}")
    assert client.get(url).status_code == anonymous
    sign_in(client, user)
    expected = 302 if name == "two_factor_setup" else signed_in  # setup sends to verify first
    assert client.get(url).status_code == expected


def test_a_wrong_app_code_does_not_hold_up_the_backup_codes(client):
    user = UserFactory()
    enrolled(user)
    static = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    static.token_set.create(token="abcdefgh")
    sign_in(client, user)
    client.post(reverse("accounts:two_factor_verify"), {"code": "000000"})
    # No wait imposed on the backup codes: the phone is the thing that may be lost.
    used = client.post(reverse("accounts:two_factor_verify"), {"code": "abcdefgh"})
    assert used.status_code == 302 and client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("length", [151, 256, 4000])
def test_an_overlong_user_name_is_refused_plainly_not_a_server_error(client, length):
    page = client.post(reverse("login"), {"username": "u" * length, "password": "whatever-password"})
    assert page.status_code == 200
    assert "Ensure this value has at most 150 characters" in page.content.decode()
