"""Every URL of the `accounts` namespace x role x GET and POST (second factor off, as in the
demo; test_two_factor covers the same pages with it on). Generated from the resolver: a new URL
without an expectation fails the test."""

import pytest
from django.db import transaction
from django.urls import get_resolver, reverse

from responses.models import Country
from tests.accounts.factories import AnalystFactory, CoordinatorFactory
from tests.responses.factories import MembershipFactory

pytestmark = pytest.mark.django_db

ROLES = ("drafter", "analyst", "coordinator", "anonymous")
EXPECTED = {
    # An unknown invitation token is "not valid" for everyone.
    ("invitation_accept", "GET"): (404, 404, 404, 404),
    ("invitation_accept", "POST"): (404, 404, 404, 404),
    ("two_factor_setup", "GET"): (200, 200, 200, 302),
    ("two_factor_setup", "POST"): (200, 200, 200, 302),  # an empty code is shown as an error
    ("two_factor_verify", "GET"): (302, 302, 302, 302),  # nothing enrolled yet: sent to set-up
    ("two_factor_verify", "POST"): (302, 302, 302, 302),
    ("security", "GET"): (200, 200, 200, 302),
    ("security", "POST"): (200, 200, 200, 302),
}


def test_permission_matrix_over_every_accounts_url(client, countries):
    _, namespace = get_resolver().namespace_dict["accounts"]
    names = [p.name for p in namespace.url_patterns]
    assert sorted({name for name, _m in EXPECTED}) == sorted(names), "add the new URL to EXPECTED"
    people = {
        "drafter": MembershipFactory(country=Country.objects.get(code="FR"), role="drafter").user,
        "analyst": AnalystFactory(),
        "coordinator": CoordinatorFactory(),
        "anonymous": None,
    }
    mismatches = []
    for pattern in namespace.url_patterns:
        kwargs = {key: {"token": "no-such-token"}[key] for key in pattern.pattern.converters}
        url = reverse(f"accounts:{pattern.name}", kwargs=kwargs)
        for method in ("GET", "POST"):
            for role, expected in zip(ROLES, EXPECTED[(pattern.name, method)], strict=True):
                with transaction.atomic():
                    client.logout()
                    if people[role]:
                        client.force_login(people[role])
                    got = (client.get(url) if method == "GET" else client.post(url, {})).status_code
                    transaction.set_rollback(True)
                if got != expected:
                    mismatches.append(f"{method} {pattern.name} as {role}: expected {expected}, got {got}")
    assert mismatches == []
