"""The coordinators' account pages: roles, deactivation, second-factor reset, all audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import (
    two_factor_recover,
    two_factor_recovery_link_send,
    user_deactivate,
    user_global_role_set,
    user_membership_set,
)
from audit.models import AuditEvent
from responses.models import Country, Membership
from tests.accounts.factories import TEST_PASSWORD, AnalystFactory, CoordinatorFactory, UserFactory
from tests.responses.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafter(countries):
    return MembershipFactory(
        country=Country.objects.get(code="FR"), role="drafter", user__username="fr.d"
    ).user


def test_deactivated_people_cannot_sign_in_and_their_session_ends(client, drafter):
    coordinator = CoordinatorFactory()
    drafter_client = client.__class__()
    drafter_client.force_login(drafter)
    client.force_login(coordinator)

    page = client.post(reverse("coordination:user_detail", args=[drafter.pk]), {"action": "deactivate"})
    assert page.status_code == 302
    drafter.refresh_from_db()
    assert not drafter.is_active
    assert drafter_client.get(reverse("responses:list")).status_code == 302  # signed out
    refused = client.__class__().post(reverse("login"), {"username": "fr.d", "password": TEST_PASSWORD})
    assert refused.status_code == 200 and "_auth_user_id" not in refused.wsgi_request.session
    event = AuditEvent.objects.get(action="account.deactivate")
    assert event.user == coordinator and event.detail["target"] == "fr.d"

    client.post(reverse("coordination:user_detail", args=[drafter.pk]), {"action": "reactivate"})
    drafter.refresh_from_db()
    assert drafter.is_active and AuditEvent.objects.filter(action="account.reactivate").exists()


def test_country_roles_change_and_are_audited_with_the_country(client, drafter):
    client.force_login(CoordinatorFactory())
    germany = Country.objects.get(code="DE")
    url = reverse("coordination:user_detail", args=[drafter.pk])
    client.post(
        url, {"action": "membership", "country": Country.objects.get(code="FR").pk, "role": "approver"}
    )
    client.post(url, {"action": "membership", "country": germany.pk, "role": "viewer"})
    assert dict(Membership.objects.filter(user=drafter).values_list("country__code", "role")) == {
        "FR": "approver",
        "DE": "viewer",
    }
    client.post(url, {"action": "membership", "country": germany.pk, "role": ""})
    assert not Membership.objects.filter(user=drafter, country=germany).exists()
    events = AuditEvent.objects.filter(action="account.role").order_by("pk")
    assert [(e.detail["country"], e.detail["old"], e.detail["new"]) for e in events] == [
        ("FR", "drafter", "approver"),
        ("DE", "", "viewer"),
        ("DE", "viewer", ""),
    ]
    # The audit log finds account changes by country too.
    log = client.get(reverse("coordination:audit"), {"country": "de", "action": "account.role"})
    assert log.content.decode().count("<td>Changed a role</td>") == 2


def test_global_roles_and_country_roles_do_not_mix(drafter):
    coordinator = CoordinatorFactory()
    with pytest.raises(ValidationError):
        user_global_role_set(target=drafter, global_role="analyst", user=coordinator)
    analyst = AnalystFactory()
    with pytest.raises(ValidationError):
        user_membership_set(
            target=analyst, country=Country.objects.get(code="FR"), role="drafter", user=coordinator
        )
    user_global_role_set(target=analyst, global_role="coordinator", user=coordinator)
    analyst.refresh_from_db()
    assert analyst.is_coordinator


def test_nobody_changes_their_own_account_and_only_coordinators_change_any(client, drafter):
    coordinator = CoordinatorFactory()
    with pytest.raises(ValidationError):
        user_deactivate(target=coordinator, user=coordinator)
    with pytest.raises(PermissionDenied):
        user_deactivate(target=drafter, user=AnalystFactory())
    with pytest.raises(PermissionDenied):
        user_deactivate(target=coordinator, user=drafter)
    client.force_login(coordinator)
    page = client.post(reverse("coordination:user_detail", args=[coordinator.pk]), {"action": "deactivate"})
    assert page.status_code == 400
    coordinator.refresh_from_db()
    assert coordinator.is_active


def test_second_factor_reset_for_a_lost_phone(drafter):
    TOTPDevice.objects.create(user=drafter, name="a", confirmed=True)
    StaticDevice.objects.create(user=drafter, name="b", confirmed=True)
    links = []
    # The coordinator sends the owner a link (tests/accounts/test_second_factor_recovery.py);
    # the owner's use of it removes the devices.
    assert two_factor_recovery_link_send(target=drafter, user=CoordinatorFactory(), link_for=links.append)
    two_factor_recover(token=links[-1])
    assert not TOTPDevice.objects.filter(user=drafter).exists()
    assert not StaticDevice.objects.filter(user=drafter).exists()
    assert AuditEvent.objects.filter(action="2fa.reset").exists()


def test_the_accounts_list_filters_and_hostile_filters_are_text(client, drafter):
    UserFactory(username="someone.else")
    client.force_login(CoordinatorFactory())
    page = client.get(reverse("coordination:users"), {"country": "fr", "role": "drafter"}).content.decode()
    assert "fr.d" in page and "someone.else" not in page
    for hostile in ["' OR 1=1 --", "%", "_", '"; DROP TABLE accounts_user; --']:
        page = client.get(reverse("coordination:users"), {"q": hostile, "country": hostile[:2]})
        assert page.status_code == 200 and "No account matches." in page.content.decode()


def test_the_accounts_list_query_count_does_not_grow_with_people(
    client, countries, django_assert_max_num_queries
):
    client.force_login(CoordinatorFactory())
    for code in ("FR", "DE", "ES", "IT", "PL"):
        for role in ("drafter", "approver", "viewer"):
            MembershipFactory(country=Country.objects.get(code=code), role=role)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("coordination:users")).status_code == 200


def test_setup_changes_in_the_admin_are_audited_and_rounds_change_only_on_the_rounds_page(client, us_round):
    from accounts.services import admin_access_sync

    coordinator = CoordinatorFactory()
    admin_access_sync(coordinator)
    client.force_login(coordinator)
    france = Country.objects.get(code="FR")
    page = client.post(
        reverse("admin:responses_country_change", args=[france.pk]),
        {
            "code": "FR",
            "name": "France (Republic)",
            "is_eu_member": "on",
            "is_nato_member": "on",
            "is_european": "on",
            "is_invitable": "on",
        },
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    event = AuditEvent.objects.get(action="admin.change")
    assert event.user == coordinator and event.detail["fields"] == ["name"]

    client.post(
        reverse("admin:questionnaire_round_change", args=[us_round.pk]),
        {
            "questionnaire": us_round.questionnaire_id,
            "key": us_round.key,
            "title": us_round.title,
            "status": "closed",
            "handling_marking": "CHANGED",
        },
    )
    us_round.refresh_from_db()
    assert us_round.status == "open" and us_round.handling_marking != "CHANGED"
