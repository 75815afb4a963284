import pytest

from responses.models import Country, Membership, Response
from responses.services import response_save_draft, response_start, response_submit
from tests.accounts.factories import AnalystFactory, CoordinatorFactory
from tests.responses.factories import COMPLETE, MembershipFactory


@pytest.fixture
def people(us_round):
    """One person per role around France's response, plus outsiders."""
    france, germany = Country.objects.get(code="FR"), Country.objects.get(code="DE")
    return {
        "drafter": MembershipFactory(
            country=france, role=Membership.Role.DRAFTER, user__username="fr.d"
        ).user,
        "approver": MembershipFactory(
            country=france, role=Membership.Role.APPROVER, user__username="fr.a"
        ).user,
        "viewer": MembershipFactory(country=france, role=Membership.Role.VIEWER, user__username="fr.v").user,
        "other_country": MembershipFactory(
            country=germany, role=Membership.Role.APPROVER, user__username="de.a"
        ).user,
        "analyst": AnalystFactory(),
        "coordinator": CoordinatorFactory(),
        "anonymous": None,
    }


@pytest.fixture
def draft_response(us_round, people) -> Response:
    response = response_start(round=us_round, countries=[Country.objects.get(code="FR")])
    response_save_draft(response=response, user=people["drafter"], answers=COMPLETE, base_version=0)
    response.refresh_from_db()
    return response


@pytest.fixture
def submitted_response(draft_response, people) -> Response:
    response_submit(response=draft_response, user=people["approver"])
    draft_response.refresh_from_db()
    return draft_response
