"""Review of the invitations / two-factor / coordinators' accounts change: each test shows one
problem found by attacking it (and now guards its fix). The last class pins down what was
checked and found sound, so that it stays so."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Invitation, User
from accounts.services import (
    admin_access_sync,
    invitation_accept,
    invitation_send,
    token_hash,
    two_factor_confirm,
    two_factor_pending_device,
    user_deactivate,
    user_global_role_set,
)
from audit.models import AuditEvent
from responses import permissions
from responses.models import Country, Membership
from tests.accounts.factories import TEST_PASSWORD, CoordinatorFactory, UserFactory
from tests.accounts.two_factor import code_now, sign_in, two_factor_on  # noqa: F401
from tests.responses.factories import MembershipFactory

pytestmark = pytest.mark.django_db

STRONG = "Kyiv-guarantees-2026!"


def admin_coordinator(**kwargs) -> User:
    """A coordinator as the app makes one: staff, in the Coordinators group."""
    coordinator = CoordinatorFactory(**kwargs)
    admin_access_sync(coordinator)
    return coordinator


def invite(coordinator, *, email="new.person@example.invalid", country="FR", role="drafter", link="tok"):
    invitation = invitation_send(
        email=email,
        country=Country.objects.get(code=country) if country else None,
        role=role,
        invited_by=coordinator,
        accept_url_for=lambda t: f"http://testserver/accounts/invitation/{t}/",
    )
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=token_hash(link))
    return invitation


def user_change_data(user: User, **overrides) -> dict:
    """What the admin's user change form posts for ``user``, unchanged unless overridden."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "is_staff": "on",
        "global_role": user.global_role,
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
        "groups": [g.pk for g in user.groups.all()],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


class TestAdminEscalation:
    """Finding 1 (critical): the Coordinators group holds every `accounts` permission, and Django's
    UserAdmin lets anyone with change_user edit is_superuser, groups and user_permissions."""

    def test_a_coordinator_cannot_make_themselves_superuser_in_the_admin(self, client):
        coordinator = admin_coordinator()
        client.force_login(coordinator)
        url = reverse("admin:accounts_user_change", args=[coordinator.pk])
        assert client.get(url).status_code == 200
        page = client.post(url, user_change_data(coordinator, is_superuser="on", first_name="Renamed"))
        assert page.status_code == 302  # the rest of the form is still saved
        coordinator.refresh_from_db()
        assert coordinator.first_name == "Renamed"
        assert not coordinator.is_superuser

    def test_a_coordinator_cannot_grant_permissions_in_the_admin(self, client):
        from django.contrib.auth.models import Permission

        coordinator = admin_coordinator()
        drafter = UserFactory()
        client.force_login(coordinator)
        otp_view = Permission.objects.get(codename="view_totpdevice")
        page = client.post(
            reverse("admin:accounts_user_change", args=[drafter.pk]),
            user_change_data(drafter, is_staff="on", user_permissions=[otp_view.pk]),
        )
        assert page.status_code == 302
        drafter.refresh_from_db()
        assert not drafter.user_permissions.exists()
        assert not drafter.is_staff

    def test_roles_and_activation_are_not_changed_behind_the_coordinators_pages(self, client):
        """The admin would skip the rules (no own account, no global role with country roles,
        staff flag and group kept in step): a coordinator could deactivate or demote
        themselves, the last coordinator included."""
        coordinator = admin_coordinator()
        client.force_login(coordinator)
        data = user_change_data(coordinator, global_role="", is_active=None)
        page = client.post(reverse("admin:accounts_user_change", args=[coordinator.pk]), data)
        assert page.status_code == 302
        coordinator.refresh_from_db()
        assert coordinator.is_coordinator and coordinator.is_active

    def test_a_coordinator_cannot_change_a_superuser_or_set_its_password(self, client):
        root = UserFactory(username="root", is_superuser=True, is_staff=True)
        client.force_login(admin_coordinator())
        change = client.get(reverse("admin:accounts_user_change", args=[root.pk]))
        assert b'name="email"' not in change.content  # read-only at most
        page = client.post(
            f"/admin/accounts/user/{root.pk}/password/",
            {"password1": "Taken-over-2026!", "password2": "Taken-over-2026!", "usable_password": "true"},
        )
        assert page.status_code == 403
        root.refresh_from_db()
        assert root.check_password(TEST_PASSWORD)

    def test_a_coordinator_cannot_give_themselves_a_country_role_in_the_admin(self, client, countries):
        """Finding 2 (high): a Membership added in the admin makes a coordinator a drafter of a
        country, who then reads and edits its draft - what DESIGN.md §2 says a coordinator never
        does. The coordinators' page refuses country roles to global roles; the admin did not."""
        coordinator = admin_coordinator()
        client.force_login(coordinator)
        france = Country.objects.get(code="FR")
        page = client.post(
            reverse("admin:responses_membership_add"),
            {"user": coordinator.pk, "country": france.pk, "role": "drafter"},
        )
        assert page.status_code == 403
        assert not Membership.objects.filter(user=coordinator).exists()
        assert not permissions.can_start_response_for(coordinator, france)


class TestAdminAudit:
    """Finding 3 (medium): account changes made in the admin escape the audit log when they are a
    password change or a bulk delete; invitations could be deleted there without a trace."""

    def test_a_password_set_in_the_admin_is_audited(self, client):
        # Only a superuser sets another person's password (tests/accounts/test_no_one_acts_as_another.py).
        coordinator = UserFactory(is_superuser=True, is_staff=True)
        drafter = UserFactory(username="fr.victim")
        client.force_login(coordinator)
        page = client.post(
            f"/admin/accounts/user/{drafter.pk}/password/",
            {"password1": "Another-pass-2026!", "password2": "Another-pass-2026!", "usable_password": "true"},
        )
        assert page.status_code == 302
        event = AuditEvent.objects.get(action="account.change", user=coordinator)
        assert event.detail["object"] == "fr.victim" and event.detail["fields"] == ["password"]

    def test_a_bulk_delete_in_the_admin_is_audited(self, client):
        coordinator = admin_coordinator()
        unused = UserFactory(username="never.used")
        client.force_login(coordinator)
        page = client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "delete_selected", "_selected_action": [unused.pk], "post": "yes"},
        )
        assert page.status_code == 302 and not User.objects.filter(pk=unused.pk).exists()
        event = AuditEvent.objects.get(action="account.change", user=coordinator)
        assert event.detail["object"] == "never.used" and event.detail["deleted"] is True

    def test_invitations_cannot_be_deleted_in_the_admin(self, client, countries):
        coordinator = admin_coordinator()
        invitation = invite(coordinator)
        client.force_login(coordinator)
        page = client.post(reverse("admin:accounts_invitation_delete", args=[invitation.pk]), {"post": "yes"})
        assert page.status_code == 403
        assert Invitation.objects.filter(pk=invitation.pk).exists()


class TestInvitationsOfFormerCoordinators:
    """Finding 4 (medium): an invitation stayed valid after whoever sent it was deactivated or lost
    the coordinator role: a coordinator leaving on bad terms could invite a private address as
    coordinator on the way out and still get in afterwards."""

    def test_deactivating_the_sender_voids_the_invitation(self, countries):
        leaving = CoordinatorFactory()
        invite(leaving, email="private@example.invalid", country=None, role="coordinator")
        user_deactivate(target=leaving, user=CoordinatorFactory())
        with pytest.raises(ValidationError):
            invitation_accept(token="tok", username="back.door", password=STRONG)
        assert not User.objects.filter(username="back.door").exists()
        assert Invitation.objects.get().revoked_at is not None

    def test_demoting_the_sender_voids_the_invitation(self, client, countries):
        leaving = CoordinatorFactory()
        invite(leaving, email="private@example.invalid", country=None, role="coordinator")
        user_global_role_set(target=leaving, global_role="analyst", user=CoordinatorFactory())
        page = client.get(reverse("accounts:invitation_accept", args=["tok"]))
        assert page.status_code == 410 and "withdrawn" in page.content.decode()

    def test_a_sender_changed_behind_the_services_voids_it_too(self, countries):
        leaving = CoordinatorFactory()
        invite(leaving, email="private@example.invalid", country=None, role="coordinator")
        User.objects.filter(pk=leaving.pk).update(is_active=False)
        with pytest.raises(ValidationError):
            invitation_accept(token="tok", username="back.door", password=STRONG)

    def test_an_address_taken_since_the_invitation_is_refused_at_acceptance(self, countries):
        """Finding 9 (low): the address is checked when sending only; an account reactivated (or
        made in the admin) meanwhile got a twin with the same address."""
        invite(CoordinatorFactory(), email="twin@example.invalid")
        UserFactory(username="old.account", email="Twin@example.invalid")
        with pytest.raises(ValidationError):
            invitation_accept(token="tok", username="second.account", password=STRONG)
        assert User.objects.filter(email__iexact="twin@example.invalid").count() == 1


@pytest.mark.usefixtures("two_factor_on")
class TestEnrolmentSecret:
    """Finding 5 (medium): the authenticator being set up was one per user, shown to every session
    of that user: whoever signed in with the password before the owner enrolled kept a working
    copy of the owner's authenticator, unnoticed, for as long as it stays in use."""

    def test_another_session_gets_its_own_secret_and_the_first_stops_working(self):
        owner = UserFactory()
        intruder, legit = Client(), Client()
        sign_in(intruder, owner)
        seen = intruder.get(reverse("accounts:two_factor_setup")).content.decode()
        stolen_secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', seen).group(1)

        sign_in(legit, owner)
        page = legit.get(reverse("accounts:two_factor_setup")).content.decode()
        secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page).group(1)
        assert secret != stolen_secret

        device = TOTPDevice.objects.get(user=owner, confirmed=False, pk=legit.session["two_factor_setup"])
        done = legit.post(reverse("accounts:two_factor_setup"), {"code": code_now(device)})
        assert done.status_code == 200 and "backup-codes" in done.content.decode()
        # The intruder's copy is gone with the enrolment: their session asks for the code of a
        # device they never saw.
        assert TOTPDevice.objects.filter(user=owner).count() == 1
        assert intruder.get(reverse("accounts:two_factor_setup")).status_code == 302

    def test_two_tabs_confirming_at_once_do_not_replace_the_codes_just_shown(self):
        user = UserFactory()
        device = two_factor_pending_device(user)
        stale = TOTPDevice.objects.get(pk=device.pk)  # the other tab's copy
        code = code_now(device)
        first = two_factor_confirm(user=user, device=device, token=code)
        assert first
        with pytest.raises(PermissionDenied):
            two_factor_confirm(user=user, device=stale, token=code)
        left = set(StaticDevice.objects.get(user=user).token_set.values_list("token", flat=True))
        assert left == set(first)


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_new_backup_codes_keep_a_session_signed_in_with_a_backup_code(client):
    """Finding 6 (low): making new backup codes deleted the device the session had been verified
    with, so a person who signed in with a backup code (phone lost) was asked for a code again
    right after - and had to spend one of the new ones."""
    user = UserFactory()
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    static.token_set.create(token="abcdefgh")
    static.token_set.create(token="ijklmnop")
    elsewhere = Client()  # say, someone who got hold of the old codes
    sign_in(elsewhere, user)
    assert elsewhere.post(reverse("accounts:two_factor_verify"), {"code": "ijklmnop"}).status_code == 302
    sign_in(client, user)
    assert client.post(reverse("accounts:two_factor_verify"), {"code": "abcdefgh"}).status_code == 302
    codes = client.post(reverse("accounts:security"))
    assert codes.status_code == 200
    assert client.get(reverse("home")).status_code == 200
    assert StaticDevice.objects.get(user=user).token_set.count() == 10
    # Other sessions verified with an old code still end with the old codes.
    assert elsewhere.get(reverse("home")).status_code == 302


def test_a_coordinator_removed_meanwhile_cannot_remove_the_last_one(countries):
    """Finding 7 (low): the services trusted the acting user as loaded at the start of the request.
    Two coordinators demoting each other at the same moment left none; so does a coordinator
    acting after being demoted (shown here with the stale object such a race leaves)."""
    first, second = CoordinatorFactory(), CoordinatorFactory()
    second_as_loaded = User.objects.get(pk=second.pk)
    user_global_role_set(target=second, global_role="", user=first)
    with pytest.raises(PermissionDenied):
        user_global_role_set(target=first, global_role="", user=second_as_loaded)
    with pytest.raises(PermissionDenied):
        user_deactivate(target=first, user=second_as_loaded)
    first.refresh_from_db()
    assert first.is_coordinator and first.is_active


def test_the_invitation_list_shows_role_names_not_codes(client, countries):
    """Finding 8 (low, UX): the list printed the stored code ("approver"), untranslated."""
    coordinator = CoordinatorFactory()
    invite(coordinator, role="approver")
    client.force_login(coordinator)
    page = client.get(reverse("coordination:invitations")).content.decode()
    assert "<td>Approver</td>" in page


class TestJudgedSound:
    """Checked by attacking it and found sound; kept as regression tests."""

    @override_settings(TWO_FACTOR_REQUIRED=True)
    def test_a_password_only_session_reaches_no_url_but_the_second_factor(self, client, countries):
        from django.urls import URLPattern, URLResolver, get_resolver

        def walk(patterns, prefix=""):
            for p in patterns:
                if isinstance(p, URLResolver):
                    yield from walk(p.url_patterns, prefix + str(p.pattern))
                elif isinstance(p, URLPattern):
                    yield prefix + str(p.pattern)

        coordinator = admin_coordinator()
        TOTPDevice.objects.create(user=coordinator, name="a", confirmed=True)
        open_urls = {"/accounts/two-factor/", "/accounts/logout/", "/i18n/setlang/", "/accounts/login/"}
        # Choosing the language shows nothing and changes only how pages are written.
        open_urls.add("/accounts/language/")
        # The recovery pages are how a person who cannot pass the second factor gets back in;
        # they show nothing of the account and act only with a link sent to its owner.
        open_urls |= {
            "/accounts/password-reset/",
            "/accounts/password-reset/sent/",
            "/accounts/reset/x/x/",
            "/accounts/reset/done/",
            "/accounts/two-factor/recover/x/",
        }
        reached = []
        for route in walk(get_resolver().url_patterns):
            url = "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: "1" if m.group(1) == "int" else "x", route)
            url = url.replace("^", "").replace("$", "").replace("\\Z", "")
            if url in open_urls or url.startswith("/accounts/invitation/"):
                continue
            for method in ("get", "post"):
                client.logout()
                sign_in(client, coordinator)
                page = getattr(client, method)(url)
                if not (page.status_code == 302 and page["Location"].startswith("/accounts/two-factor/")):
                    reached.append((method, url, page.status_code))
        assert reached == []

    def test_accepting_an_invitation_starts_a_new_session(self, client, countries):
        invite(CoordinatorFactory())
        client.get(reverse("accounts:invitation_accept", args=["tok"]))
        client.session.save()
        before = client.session.session_key
        form = {"username": "fr.new", "password1": STRONG, "password2": STRONG}
        assert client.post(reverse("accounts:invitation_accept", args=["tok"]), form).status_code == 302
        assert client.session.session_key != before and SESSION_KEY in client.session

    def test_hostile_names_and_addresses_are_escaped_everywhere(self, client, countries):
        hostile = '<img src=x onerror="alert(1)">'
        coordinator = CoordinatorFactory()
        target = UserFactory(username="fr.h", first_name=hostile, last_name=hostile)
        MembershipFactory(user=target, country=Country.objects.get(code="FR"))
        invite(coordinator, email="x@example.invalid")
        Invitation.objects.update(email=hostile)  # as if it had got past the form
        user_deactivate(target=target, user=coordinator)
        AuditEvent.objects.create(user=coordinator, action="account.change", detail={"object": hostile})
        client.force_login(coordinator)
        for url in (
            reverse("coordination:users"),
            reverse("coordination:user_detail", args=[target.pk]),
            reverse("coordination:invitations"),
            reverse("coordination:audit"),
        ):
            page = client.get(url).content.decode()
            assert hostile not in page, url

    def test_an_invitation_link_is_used_once_even_from_two_tabs(self, countries):
        invite(CoordinatorFactory())
        invitation_accept(token="tok", username="tab.one", password=STRONG)
        with pytest.raises(ValidationError, match="already been used"):
            invitation_accept(token="tok", username="tab.two", password=STRONG)
