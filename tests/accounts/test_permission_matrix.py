"""Every URL of the `accounts` namespace x role x GET and POST (second factor off, as in the
demo; test_two_factor covers the same pages with it on). Generated from the resolver: a new URL
without an expectation fails the test."""

import pytest

from responses.models import Country
from tests.accounts.factories import AnalystFactory, CoordinatorFactory
from tests.matrix import matrix_mismatches, unlisted
from tests.responses.factories import MembershipFactory

pytestmark = pytest.mark.django_db

# Columns: drafter, analyst, coordinator, anonymous.
EXPECTED = {
    # An unknown invitation token is "not valid" for everyone.
    ("invitation_accept", "GET"): (404, 404, 404, 404),
    ("invitation_accept", "POST"): (404, 404, 404, 404),
    ("two_factor_setup", "GET"): (200, 200, 200, 302),
    ("two_factor_setup", "POST"): (200, 200, 200, 302),  # an empty code is shown as an error
    ("two_factor_verify", "GET"): (302, 302, 302, 302),  # nothing enrolled yet: sent to set-up
    ("two_factor_verify", "POST"): (302, 302, 302, 302),
    # An unknown recovery token is refused alike for everyone (the link is the owner's key).
    ("two_factor_recover", "GET"): (400, 400, 400, 400),
    ("two_factor_recover", "POST"): (400, 400, 400, 400),
    # The language switcher: a POST that sends back to the page; nothing to GET.
    ("language", "GET"): (405, 405, 405, 405),
    ("language", "POST"): (302, 302, 302, 302),
    ("security", "GET"): (200, 200, 200, 302),
    ("security", "POST"): (200, 200, 200, 302),
}


def test_permission_matrix_over_every_accounts_url(client, countries):
    assert unlisted("accounts", EXPECTED) == [], "add it to EXPECTED"
    people = {
        "drafter": MembershipFactory(country=Country.objects.get(code="FR"), role="drafter").user,
        "analyst": AnalystFactory(),
        "coordinator": CoordinatorFactory(),
        "anonymous": None,
    }

    def kwargs_for(name: str, converters: list[str]) -> dict[str, str]:
        return dict.fromkeys(converters, "no-such-token")

    assert matrix_mismatches(client, "accounts", EXPECTED, people, kwargs_for) == []
