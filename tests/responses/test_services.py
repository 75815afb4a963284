import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from questionnaire.models import Round
from responses.models import Country, Membership, Response, ResponseVersion
from responses.services import response_save_draft, response_start, response_submit
from tests.responses.factories import MembershipFactory

pytestmark = pytest.mark.django_db

COMPLETE = {
    "q1_participate": "yes",
    "q1_send_troops": "no",
    "q2_force_size": {"value": 25000, "figure_kind": None},
    "q2_posture": "mixed",
    "q2_command": "eu_led",
    "q2_duration_kind": "open_ended_review",
    "q3_us_support_needed": "desirable",
    "q3_backstop_precondition": "depends",
    "q4_rules_of_engagement": "self_defence",
    "q4_commitment_form": "case_by_case",
    "q5_maintenance": "no",
    "q5_coproduction": "planned",
    "q6_willing": "yes_nationally",
    "q6_timing": "immediately",
}


@pytest.fixture
def france(us_round):
    return Country.objects.get(code="FR")


@pytest.fixture
def response(us_round, france):
    return response_start(round=us_round, countries=[france])


def member(country, role):
    return MembershipFactory(country=country, role=role).user


def test_a_draft_save_keeps_a_version_with_what_changed(response, france):
    drafter = member(france, Membership.Role.DRAFTER)

    first = response_save_draft(response=response, user=drafter, answers={"q1_participate": "yes"})
    second = response_save_draft(
        response=response, user=drafter, answers={"q1_participate": "no", "q2_posture": "mixed"}
    )

    assert (first.number, second.number) == (1, 2)
    assert second.changed_fields == ["q1_participate", "q2_posture"]
    response.refresh_from_db()
    assert response.current_version == second
    assert response.submitted_version is None


def test_a_draft_may_be_partial_but_not_invalid(response, france):
    drafter = member(france, Membership.Role.DRAFTER)

    with pytest.raises(ValidationError) as caught:
        response_save_draft(
            response=response,
            user=drafter,
            answers={
                "q1_send_troops": "yes",
                "q1_troops_offered": {"value": 200000, "figure_kind": "official"},
            },
        )

    assert "q1_troops_offered" in caught.value.message_dict
    assert not ResponseVersion.objects.exists()


def test_answers_hidden_by_another_answer_are_not_kept(response, france):
    drafter = member(france, Membership.Role.DRAFTER)

    version = response_save_draft(
        response=response,
        user=drafter,
        answers={"q1_send_troops": "no", "q1_troops_offered": {"value": 500, "figure_kind": "estimate"}},
    )

    assert "q1_troops_offered" not in version.answers


def test_only_an_approver_submits_and_only_a_complete_response(response, france):
    drafter = member(france, Membership.Role.DRAFTER)
    approver = member(france, Membership.Role.APPROVER)
    response_save_draft(response=response, user=drafter, answers={"q1_participate": "yes"})

    with pytest.raises(PermissionDenied):
        response_submit(response=response, user=drafter)
    with pytest.raises(ValidationError) as caught:
        response_submit(response=response, user=approver)
    assert "q6_timing" in caught.value.message_dict

    response_save_draft(response=response, user=drafter, answers=COMPLETE)
    version = response_submit(response=response, user=approver)

    response.refresh_from_db()
    assert response.status == Response.Status.SUBMITTED
    assert response.submitted_version == version
    assert version.kind == ResponseVersion.Kind.SUBMISSION


def test_a_submitted_response_cannot_be_changed(response, france):
    drafter = member(france, Membership.Role.DRAFTER)
    response_save_draft(response=response, user=drafter, answers=COMPLETE)
    response_submit(response=response, user=member(france, Membership.Role.APPROVER))

    with pytest.raises(ValidationError, match="submitted response cannot be changed"):
        response_save_draft(response=response, user=drafter, answers={"q1_participate": "no"})


def test_another_countrys_member_and_a_viewer_cannot_edit(response, france):
    german = member(Country.objects.get(code="DE"), Membership.Role.DRAFTER)
    viewer = member(france, Membership.Role.VIEWER)

    for user in (german, viewer):
        with pytest.raises(PermissionDenied):
            response_save_draft(response=response, user=user, answers={"q1_participate": "yes"})


def test_nothing_changes_after_the_deadline(response, france, us_round):
    drafter = member(france, Membership.Role.DRAFTER)
    Round.objects.filter(pk=us_round.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))

    with pytest.raises(ValidationError, match="round is closed"):
        response_save_draft(response=response, user=drafter, answers={"q1_participate": "yes"})


def test_a_country_answers_once_per_round(response, us_round, france):
    with pytest.raises(ValidationError, match="Already answering in this round: France"):
        response_start(round=us_round, countries=[Country.objects.get(code="BE"), france])
    assert Response.objects.count() == 1


def test_a_joint_response_is_edited_by_members_of_any_author(us_round):
    estonia, latvia = Country.objects.get(code="EE"), Country.objects.get(code="LV")
    joint = response_start(round=us_round, countries=[estonia, latvia])

    response_save_draft(response=joint, user=member(estonia, "drafter"), answers={"q1_participate": "yes"})
    version = response_save_draft(response=joint, user=member(latvia, "drafter"), answers=COMPLETE)

    assert version.number == 2
    assert response_submit(response=joint, user=member(latvia, "approver")).kind == "submission"
