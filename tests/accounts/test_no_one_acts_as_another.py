"""A coordinator runs the round but never acts as another person: no password of another
person is set or seen in the admin, the admin adds no account with a password, and a superuser's
account is changed by superusers alone. The takeover path that worked before (reset a drafter's
second factor, set their password in the admin, sign in as them) fails at the password step."""

import pytest
from django.urls import reverse

from accounts.services import admin_access_sync
from responses.models import Country, Membership
from tests.accounts.factories import TEST_PASSWORD, CoordinatorFactory, UserFactory
from tests.responses.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_in_admin(client, countries):
    coordinator = CoordinatorFactory()
    admin_access_sync(coordinator)
    client.force_login(coordinator)
    return coordinator


@pytest.fixture
def drafter(countries):
    return MembershipFactory(country=Country.objects.get(code="FR"), role=Membership.Role.DRAFTER).user


def test_a_coordinator_cannot_set_a_drafters_password_in_the_admin(client, coordinator_in_admin, drafter):
    url = f"/admin/accounts/user/{drafter.pk}/password/"
    assert client.get(url).status_code == 403
    answer = client.post(url, {"password1": "A-new-pass-phrase-1", "password2": "A-new-pass-phrase-1"})
    assert answer.status_code == 403
    drafter.refresh_from_db()
    assert drafter.check_password(TEST_PASSWORD)
    # So signing in as the drafter with a password the coordinator chose is impossible.
    client.logout()
    signed = client.post(reverse("login"), {"username": drafter.username, "password": "A-new-pass-phrase-1"})
    assert signed.status_code == 200  # the form again, refused


def test_the_change_page_shows_no_password_and_the_admin_adds_no_account(
    client, coordinator_in_admin, drafter
):
    page = client.get(f"/admin/accounts/user/{drafter.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "password/" not in html and drafter.password not in html
    assert client.get("/admin/accounts/user/add/").status_code == 403


def test_a_superuser_still_sets_a_password_and_a_coordinator_cannot_touch_a_superuser(
    client, coordinator_in_admin, drafter
):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    # A superuser's account is view-only to a coordinator: its change is refused.
    change = client.post(f"/admin/accounts/user/{superuser.pk}/change/", {"username": "renamed"})
    assert change.status_code == 403
    superuser.refresh_from_db()
    assert superuser.username != "renamed"
    client.force_login(superuser)
    url = f"/admin/accounts/user/{drafter.pk}/password/"
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("change", ["deactivate", "role", "second factor"])
def test_the_coordinators_pages_never_change_a_superuser(countries, change):
    from django.core.exceptions import PermissionDenied

    from accounts.services import two_factor_recovery_link_send, user_deactivate, user_global_role_set

    coordinator = CoordinatorFactory()
    superuser = UserFactory(is_superuser=True, is_staff=True)
    act = {
        "deactivate": lambda: user_deactivate(target=superuser, user=coordinator),
        "role": lambda: user_global_role_set(target=superuser, global_role="analyst", user=coordinator),
        "second factor": lambda: two_factor_recovery_link_send(
            target=superuser, user=coordinator, link_for=str
        ),
    }[change]

    with pytest.raises(PermissionDenied):
        act()
    superuser.refresh_from_db()
    assert superuser.is_active and superuser.global_role == ""
