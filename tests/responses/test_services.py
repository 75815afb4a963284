import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from questionnaire.models import Round
from responses.models import Country, Membership, Response, ResponseVersion, ReturnRequest
from responses.services import (
    EditConflict,
    response_return,
    response_save_draft,
    response_start,
    response_submit,
)
from tests.accounts.factories import AnalystFactory, CoordinatorFactory
from tests.responses.factories import COMPLETE, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def france(us_round):
    return Country.objects.get(code="FR")


@pytest.fixture
def response(us_round, france):
    return response_start(round=us_round, countries=[france])


def member(country, role):
    return MembershipFactory(country=country, role=role).user


def save(response, user, answers, **kwargs):
    """A save based on the newest version, as a page freshly loaded would send it."""
    response.refresh_from_db()
    base = response.current_version.number if response.current_version else 0
    return response_save_draft(response=response, user=user, answers=answers, base_version=base, **kwargs)


def test_a_draft_save_keeps_a_version_with_what_changed(response, france):
    drafter = member(france, Membership.Role.DRAFTER)

    first = save(response, drafter, {"q1_participate": "yes"}).version
    second = save(response, drafter, {"q1_participate": "no", "q2_posture": "mixed"}).version

    assert (first.number, second.number) == (1, 2)
    assert second.changed_fields == ["q1_participate", "q2_posture"]
    response.refresh_from_db()
    assert response.current_version == second
    assert response.submitted_version is None
    # The versions are the record of every save (who, when, what): the audit log is not
    # written once per autosave.
    assert not AuditEvent.objects.filter(action="response.save", response=response).exists()
    assert [v.created_by for v in response.versions.order_by("number")] == [drafter, drafter]


def test_saving_nothing_new_adds_no_version(response, france):
    drafter = member(france, Membership.Role.DRAFTER)
    save(response, drafter, {"q1_participate": "yes"})

    result = save(response, drafter, {"q1_participate": "yes", "q1_comments": ""})

    assert not result.created
    assert ResponseVersion.objects.count() == 1


def test_an_empty_value_clears_a_field(response, france):
    drafter = member(france, Membership.Role.DRAFTER)
    save(response, drafter, {"q1_participate": "yes", "q1_comments": "A comment"})

    version = save(response, drafter, {"q1_comments": ""}).version

    assert version.answers == {"q1_participate": "yes"}


def test_a_draft_may_be_partial_but_not_invalid(response, france):
    drafter = member(france, Membership.Role.DRAFTER)

    with pytest.raises(ValidationError) as caught:
        save(
            response,
            drafter,
            {"q1_send_troops": "yes", "q1_troops_offered": {"value": 200000, "figure_kind": "official"}},
        )

    assert "from 0 to 100000" in caught.value.message_dict["q1_troops_offered"][0]
    assert not ResponseVersion.objects.exists()


def test_answers_hidden_by_another_answer_are_not_kept(response, france):
    drafter = member(france, Membership.Role.DRAFTER)

    version = save(
        response,
        drafter,
        {"q1_send_troops": "no", "q1_troops_offered": {"value": 500, "figure_kind": "estimate"}},
    ).version

    assert "q1_troops_offered" not in version.answers


class TestTwoEditors:
    def test_changes_to_other_fields_are_merged_not_lost(self, response, france):
        alice, bob = member(france, "drafter"), member(france, "approver")
        save(response, alice, {"q1_participate": "yes"})  # v1: both open the page here
        response_save_draft(response=response, user=alice, answers={"q2_posture": "mixed"}, base_version=1)

        result = response_save_draft(
            response=response, user=bob, answers={"q6_timing": "immediately"}, base_version=1
        )

        assert result.version.answers == {
            "q1_participate": "yes",
            "q2_posture": "mixed",
            "q6_timing": "immediately",
        }
        assert result.merged_from_others == ["q2_posture"]

    def test_choices_reposted_in_another_order_are_not_a_change(self, response, france):
        """The form posts chosen options in taxonomy order and countries in name order; what is
        stored may be in another order. Re-posting them untouched must neither count as a change
        nor conflict with a colleague who really changed them (found by the load test)."""
        alice, bob = member(france, "drafter"), member(france, "approver")
        save(response, alice, {"q1_roles_offered": {"selected": ["isr", "air_policing"]}})
        response_save_draft(
            response=response,
            user=bob,
            answers={"q1_roles_offered": {"selected": ["air_policing", "isr", "logistics_medical"]}},
            base_version=1,
        )

        result = response_save_draft(
            response=response,
            user=alice,
            answers={"q1_roles_offered": {"selected": ["air_policing", "isr"]}, "q1_comments": "Mine"},
            base_version=1,
        )

        assert result.version.answers["q1_roles_offered"] == {
            "selected": ["air_policing", "isr", "logistics_medical"]
        }
        assert result.version.answers["q1_comments"] == "Mine"
        assert result.merged_from_others == ["q1_roles_offered"]
        unchanged = response_save_draft(
            response=response,
            user=alice,
            answers={"q1_roles_offered": {"selected": ["logistics_medical", "isr", "air_policing"]}},
            base_version=result.version.number,
        )
        assert not unchanged.created

    def test_the_same_field_changed_by_both_is_a_conflict_and_nothing_is_saved(self, response, france):
        alice, bob = member(france, "drafter"), member(france, "approver")
        save(response, alice, {"q1_comments": "Original"})
        response_save_draft(
            response=response, user=alice, answers={"q1_comments": "Alice's text"}, base_version=1
        )

        with pytest.raises(EditConflict) as caught:
            response_save_draft(
                response=response, user=bob, answers={"q1_comments": "Bob's text"}, base_version=1
            )

        conflict = caught.value.conflicts[0]
        assert (conflict.key, conflict.base, conflict.theirs, conflict.yours) == (
            "q1_comments",
            "Original",
            "Alice's text",
            "Bob's text",
        )
        assert caught.value.current_version.number == 2
        assert ResponseVersion.objects.count() == 2

        # Bob chose his own text after seeing Alice's: he saves on top of version 2.
        resolved = response_save_draft(
            response=response, user=bob, answers={"q1_comments": "Bob's text"}, base_version=2
        )
        assert resolved.version.answers["q1_comments"] == "Bob's text"

    def test_agreeing_edits_are_no_conflict(self, response, france):
        alice, bob = member(france, "drafter"), member(france, "approver")
        save(response, alice, {"q1_comments": "Original"})
        response_save_draft(response=response, user=alice, answers={"q1_comments": "Same"}, base_version=1)

        result = response_save_draft(
            response=response, user=bob, answers={"q1_comments": "Same"}, base_version=1
        )

        assert not result.created


class TestSubmission:
    def test_only_an_approver_submits_and_only_a_complete_response(self, response, france):
        drafter = member(france, Membership.Role.DRAFTER)
        approver = member(france, Membership.Role.APPROVER)
        save(response, drafter, {"q1_participate": "yes"})

        with pytest.raises(PermissionDenied):
            response_submit(response=response, user=drafter)
        with pytest.raises(ValidationError) as caught:
            response_submit(response=response, user=approver)
        assert "q6_timing" in caught.value.message_dict

        save(response, drafter, COMPLETE)
        version = response_submit(response=response, user=approver)

        response.refresh_from_db()
        assert response.status == Response.Status.SUBMITTED
        assert response.submitted_version == version
        assert version.kind == ResponseVersion.Kind.SUBMISSION

    def test_a_submitted_response_cannot_be_changed(self, response, france):
        drafter = member(france, Membership.Role.DRAFTER)
        save(response, drafter, COMPLETE)
        version = response_submit(response=response, user=member(france, Membership.Role.APPROVER))

        with pytest.raises(ValidationError, match="submitted response cannot be changed"):
            save(response, drafter, {"q1_participate": "no"})

        version.answers["q1_participate"] = "no"
        with pytest.raises(TypeError, match="immutable"):
            version.save()
        with pytest.raises(TypeError, match="immutable"):
            ResponseVersion.objects.filter(pk=version.pk).update(answers={})
        version.refresh_from_db()
        assert version.answers["q1_participate"] == "yes"


class TestReturnForRevision:
    @pytest.fixture
    def submitted(self, response, france):
        save(response, member(france, "drafter"), COMPLETE)
        response_submit(response=response, user=member(france, "approver"))
        response.refresh_from_db()
        return response

    def test_coordinator_returns_and_the_country_edits_and_resubmits(self, submitted, france):
        coordinator = CoordinatorFactory()
        returned_version = submitted.submitted_version

        returned = response_return(
            response=submitted,
            user=coordinator,
            comment="Please specify the legal basis.",
            question_comments={"q1": "Which legal basis?", "q2": "  "},
        )

        submitted.refresh_from_db()
        assert submitted.status == Response.Status.RETURNED
        assert returned.returned_version == returned_version
        assert returned.question_comments == {"q1": "Which legal basis?"}
        assert submitted.submitted_version == returned_version, "analysts keep seeing the submitted version"

        drafter = member(france, "drafter")
        save(submitted, drafter, {"q1_legal_basis_required": {"selected": ["nato_decision"], "other": ""}})
        submitted.refresh_from_db()
        assert submitted.status == Response.Status.DRAFT
        resubmitted = response_submit(response=submitted, user=member(france, "approver"))
        assert resubmitted.number > returned_version.number
        assert ResponseVersion.objects.filter(response=submitted, kind="submission").count() == 2

    def test_only_a_coordinator_returns_and_only_with_a_reason(self, submitted, france):
        for user in (AnalystFactory(), member(france, "approver")):
            with pytest.raises(PermissionDenied):
                response_return(response=submitted, user=user, comment="No", question_comments={})
        with pytest.raises(ValidationError):
            response_return(response=submitted, user=CoordinatorFactory(), comment=" ", question_comments={})
        assert not ReturnRequest.objects.exists()


def test_another_countrys_member_and_a_viewer_cannot_edit(response, france):
    german = member(Country.objects.get(code="DE"), Membership.Role.DRAFTER)
    viewer = member(france, Membership.Role.VIEWER)

    for user in (german, viewer):
        with pytest.raises(PermissionDenied):
            save(response, user, {"q1_participate": "yes"})


def test_nothing_changes_after_the_deadline(response, france, us_round):
    drafter = member(france, Membership.Role.DRAFTER)
    Round.objects.filter(pk=us_round.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))

    with pytest.raises(ValidationError, match="deadline of this round has passed"):
        save(response, drafter, {"q1_participate": "yes"})


def test_nothing_changes_once_the_coordinator_closes_the_round(response, france, us_round):
    Round.objects.filter(pk=us_round.pk).update(status=Round.Status.CLOSED)

    with pytest.raises(ValidationError, match="coordinator has closed this round"):
        save(response, member(france, "drafter"), {"q1_participate": "yes"})


def test_a_country_answers_once_per_round(response, us_round, france):
    with pytest.raises(ValidationError, match="Already answering in this round: France"):
        response_start(round=us_round, countries=[Country.objects.get(code="BE"), france])
    assert Response.objects.count() == 1


def test_a_joint_response_is_edited_by_members_of_any_author(us_round):
    estonia, latvia = Country.objects.get(code="EE"), Country.objects.get(code="LV")
    joint = response_start(round=us_round, countries=[estonia, latvia])

    save(joint, member(estonia, "drafter"), {"q1_participate": "yes"})
    version = save(joint, member(latvia, "drafter"), COMPLETE).version

    assert version.number == 2
    assert response_submit(response=joint, user=member(latvia, "approver")).kind == "submission"


class TestNothingIsLostBetweenEditors:
    def test_an_answer_a_colleague_gave_is_not_dropped_by_hiding_it(self, response, france):
        alice, bob = member(france, "drafter"), member(france, "approver")
        save(response, alice, {"q2_duration_kind": "fixed_term"})  # v1: both start here
        response_save_draft(response=response, user=alice, answers={"q2_duration_months": 36}, base_version=1)

        with pytest.raises(EditConflict) as caught:
            response_save_draft(
                response=response, user=bob, answers={"q2_duration_kind": "undecided"}, base_version=1
            )

        assert [(c.key, c.theirs, c.yours) for c in caught.value.conflicts] == [
            ("q2_duration_months", 36, None)
        ]
        assert current_answers(response)["q2_duration_months"] == 36

    def test_an_unknown_base_version_is_refused_not_guessed(self, response, france):
        drafter = member(france, "drafter")
        save(response, drafter, {"q1_comments": "Kept"})

        with pytest.raises(ValidationError, match="out of date"):
            response_save_draft(response=response, user=drafter, answers={"q1_comments": ""}, base_version=7)
        assert current_answers(response) == {"q1_comments": "Kept"}

    def test_details_changed_by_a_colleague_are_not_overwritten(self, response, france):
        alice, bob = member(france, "drafter"), member(france, "approver")
        save(response, alice, {"q1_participate": "yes"})
        response_save_draft(
            response=response, user=alice, answers={}, base_version=1, metadata={"contact_name": "A"}
        )

        with pytest.raises(ValidationError, match="changed these details meanwhile"):
            response_save_draft(
                response=response, user=bob, answers={}, base_version=1, metadata={"contact_name": "B"}
            )

    def test_the_approver_submits_only_the_version_they_reviewed(self, response, france):
        drafter, approver = member(france, "drafter"), member(france, "approver")
        reviewed = save(response, drafter, COMPLETE).version.number
        save(response, drafter, {"q1_comments": "Added after the review"})

        with pytest.raises(ValidationError, match="changed after you reviewed it"):
            response_submit(response=response, user=approver, reviewed_version=reviewed)
        response.refresh_from_db()
        assert response.status == Response.Status.DRAFT


def current_answers(response) -> dict:
    response.refresh_from_db()
    return response.answers
