import pytest

from responses.models import Country, Membership, Response
from responses.services import response_save_draft, response_start
from tests.accounts.factories import AnalystFactory, CoordinatorFactory
from tests.responses.factories import COMPLETE, MembershipFactory, submit

INJECTIONS = ['=HYPERLINK("http://evil.invalid","x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]
XSS = '<script>alert("x")</script>'


@pytest.fixture
def world(us_round):
    """Known submitted answers: France offers 5,000 (official), Poland 1,200 (estimate), the
    Baltic states jointly 800, Germany none; Italy only has a draft."""
    c = {code: Country.objects.get(code=code) for code in ["FR", "PL", "EE", "LV", "LT", "DE", "IT"]}
    troops = {**COMPLETE, "q1_send_troops": "yes"}
    france = submit(
        us_round,
        [c["FR"]],
        {
            **troops,
            "q1_troops_offered": {"value": 5000, "figure_kind": "official"},
            "q2_force_size": {"value": 30000, "figure_kind": None},
            "q3_short_term": {"selected": ["isr", "air_missile_defence"], "other": ""},
            "q1_comments": f"{INJECTIONS[0]} {XSS}",
        },
    )
    poland = submit(
        us_round,
        [c["PL"]],
        {
            **troops,
            "q1_troops_offered": {"value": 1200, "figure_kind": "estimate"},
            "q2_force_size": {"value": 10000, "figure_kind": None},
            "q3_short_term": {"selected": ["isr"], "other": ""},
            "q1_comments": INJECTIONS[1],
            "q2_comments": INJECTIONS[2],
            "q3_comments": INJECTIONS[3],
            "q4_comments": INJECTIONS[4],
            "q5_comments": INJECTIONS[5],
        },
    )
    baltic = submit(
        us_round,
        [c["EE"], c["LV"], c["LT"]],
        {**troops, "q1_troops_offered": {"value": 800, "figure_kind": "official"}},
    )
    germany = submit(
        us_round, [c["DE"]], {**COMPLETE, "q2_force_size": {"value": 60000, "figure_kind": None}}
    )
    italy = response_start(round=us_round, countries=[c["IT"]])
    response_save_draft(
        response=italy,
        user=MembershipFactory(country=c["IT"], role=Membership.Role.DRAFTER).user,
        answers={"q1_comments": "ITALIAN-DRAFT-SECRET", "q1_send_troops": "yes"},
        base_version=0,
    )
    return {
        "round": us_round,
        "france": france,
        "poland": poland,
        "baltic": baltic,
        "germany": germany,
        "italy": italy,
        "analyst": AnalystFactory(),
        "coordinator": CoordinatorFactory(),
    }


@pytest.fixture
def analyst_client(client, world):
    client.force_login(world["analyst"])
    return client


def response_count() -> int:
    return Response.objects.count()
