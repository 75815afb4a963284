"""A declared non-answer ("no position at this stage", "not applicable", "will not state") in
place of an answer: what the definition lets each field accept, how the page takes it (never
together with an answer, never losing what was typed), how it satisfies the completeness check,
and how every page shows it."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from questionnaire.definition import DEFAULT_NON_ANSWERS
from questionnaire.loader import DefinitionError, questionnaire_load
from questionnaire.models import Field
from reports.aggregates import summarise
from responses.models import Membership
from responses.services import response_missing_answers, response_save_draft, response_submit
from tests.questionnaire.factories import write_variant
from tests.responses.factories import COMPLETE, MembershipFactory

pytestmark = pytest.mark.django_db

NO_POSITION = {"declared": "no_position", "reason": "Awaiting cabinet."}


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_question(client: Client, response, number: int, data: dict) -> object:
    response.refresh_from_db()
    return client.post(
        reverse("responses:question", args=[response.pk, number]),
        {"base_version": response.current_number, **data},
    )


class TestWhatTheDefinitionAllows:
    def test_required_fields_take_the_default_and_optional_ones_none(self, us_round):
        fields = {f.key: f for f in Field.objects.filter(questionnaire=us_round.questionnaire)}
        assert fields["q2_force_size"].non_answers == DEFAULT_NON_ANSWERS
        # Its own list: taking part is never "not applicable".
        assert fields["q1_participate"].non_answers == ["no_position", "will_not_state"]
        assert fields["q1_comments"].non_answers == []
        assert all(f.non_answers for f in fields.values() if f.required)

    def test_the_loader_refuses_to_withdraw_a_declaration_that_answers_use(
        self, definition_copy, draft_response, people
    ):
        questionnaire_load(path=definition_copy)
        response_save_draft(
            response=draft_response,
            user=people["drafter"],
            answers={"q2_force_size": NO_POSITION},
            base_version=draft_response.current_number,
        )
        write_variant(
            definition_copy,
            "default_non_answers: [no_position, not_applicable, will_not_state]",
            "default_non_answers: [not_applicable]",
        )
        with pytest.raises(DefinitionError, match="no_position"):
            questionnaire_load(path=definition_copy)


class TestThePage:
    def test_a_declaration_with_its_reason_is_saved_and_shown(self, draft_response, people):
        drafter = logged_in(people["drafter"])
        page = post_question(
            drafter,
            draft_response,
            2,
            {
                "q2_posture": "mixed",
                "q2_command": "eu_led",
                "q2_duration_kind": "open_ended_review",
                "q2_force_size__declared": "no_position",
                "q2_force_size__declared_reason": "Awaiting cabinet.",
            },
        )
        assert page.status_code == 302
        draft_response.refresh_from_db()
        assert draft_response.answers["q2_force_size"] == NO_POSITION
        detail = drafter.get(reverse("responses:detail", args=[draft_response.pk])).content.decode()
        assert "No position at this stage (reason: Awaiting cabinet.)" in detail
        again = drafter.get(reverse("responses:question", args=[draft_response.pk, 2])).content.decode()
        assert '<option value="no_position" selected>' in again
        assert 'value="Awaiting cabinet."' in again

    def test_an_answer_and_a_declaration_together_are_refused_and_both_kept(self, draft_response, people):
        page = post_question(
            logged_in(people["drafter"]),
            draft_response,
            2,
            {"q2_force_size": "31234", "q2_force_size__declared": "will_not_state"},
        )
        assert page.status_code == 200
        html = page.content.decode()
        assert "Clear the answer or this declaration: a field holds one or the other." in html
        assert 'value="31234"' in html and '<option value="will_not_state" selected>' in html
        draft_response.refresh_from_db()
        assert draft_response.answers["q2_force_size"] == COMPLETE["q2_force_size"]

    def test_a_reason_without_a_declaration_is_refused(self, draft_response, people):
        page = post_question(
            logged_in(people["drafter"]),
            draft_response,
            2,
            {"q2_force_size": "25000", "q2_force_size__declared_reason": "Because."},
        )
        assert "Choose what you declare, or clear this reason." in page.content.decode()

    def test_a_field_accepts_only_its_own_declarations(self, draft_response, people):
        page = post_question(
            logged_in(people["drafter"]),
            draft_response,
            1,
            {"q1_send_troops": "no", "q1_participate__declared": "not_applicable"},
        )
        assert page.status_code == 200
        assert "not_applicable is not one of the available choices" in page.content.decode()
        with pytest.raises(ValidationError, match="cannot be declared that way"):
            response_save_draft(
                response=draft_response,
                user=people["drafter"],
                answers={"q1_participate": {"declared": "not_applicable"}},
                base_version=draft_response.current_number,
            )

    def test_an_autosave_takes_a_declaration_and_counts_the_question_answered(self, draft_response, people):
        draft_response.refresh_from_db()
        reply = logged_in(people["drafter"]).post(
            reverse("responses:autosave", args=[draft_response.pk, 1]),
            {
                "base_version": draft_response.current_number,
                "q1_participate": "yes",
                "q1_send_troops__declared": "will_not_state",
            },
            HTTP_X_REQUESTED_WITH="fetch",
        )
        data = reply.json()
        assert data["status"] == "saved", data
        draft_response.refresh_from_db()
        assert draft_response.answers["q1_send_troops"] == {"declared": "will_not_state"}


class TestCompleteness:
    def test_a_government_that_will_not_take_part_submits_without_filler(self, draft_response, people):
        honest = {
            **{key: value for key, value in COMPLETE.items() if not key.startswith(("q2_", "q4_"))},
            "q1_participate": "no",
            "q2_force_size": {"declared": "not_applicable"},
            "q2_posture": {"declared": "not_applicable"},
            "q2_command": {"declared": "not_applicable"},
            "q2_duration_kind": {"declared": "not_applicable"},
            "q4_rules_of_engagement": {"declared": "will_not_state"},
            "q4_commitment_form": {"declared": "no_position", "reason": "Parliament decides."},
        }
        response_save_draft(
            response=draft_response,
            user=people["drafter"],
            answers={**dict.fromkeys(COMPLETE), **honest},
            base_version=draft_response.current_number,
        )
        draft_response.refresh_from_db()
        assert response_missing_answers(response=draft_response) == []
        version = response_submit(response=draft_response, user=people["approver"])
        assert version.answers["q4_commitment_form"]["declared"] == "no_position"

    def test_a_declared_choice_asks_nothing_that_depends_on_a_choice(self, draft_response, people):
        response_save_draft(
            response=draft_response,
            user=people["drafter"],
            # Troops offered is asked only of who says yes to sending troops.
            answers={"q1_send_troops": {"declared": "no_position"}},
            base_version=draft_response.current_number,
        )
        draft_response.refresh_from_db()
        assert "q1_troops_offered" not in {f.key for f in response_missing_answers(response=draft_response)}

    def test_another_countrys_staff_cannot_declare_for_this_one(self, draft_response, people):
        page = post_question(
            logged_in(people["other_country"]),
            draft_response,
            2,
            {"q2_force_size__declared": "no_position"},
        )
        assert page.status_code == 404
        draft_response.refresh_from_db()
        assert draft_response.answers["q2_force_size"] == COMPLETE["q2_force_size"]


def test_summaries_leave_declarations_out_of_every_figure(us_round):
    force = Field.objects.get(questionnaire=us_round.questionnaire, key="q2_force_size")
    cells = [("France", {"value": 30000}), ("Poland", {"value": 10000}), ("Germany", None), ("Spain", None)]
    summary = summarise(
        force, cells, [], declared=[("Germany", "no_position"), ("Spain", "no_position")], addressees=30
    )
    assert (summary.numbers.count, summary.numbers.median) == (2, 20000)
    assert summary.base == "4 responses of 30 addressees: 2 gave a figure, 2 declared no position"
    assert [(d.label, d.columns) for d in summary.declared] == [
        ("No position at this stage", ["Germany", "Spain"])
    ]


def test_a_viewer_sees_the_declaration_but_cannot_change_it(draft_response, people):
    response_save_draft(
        response=draft_response,
        user=MembershipFactory(country=draft_response.authors.get(), role=Membership.Role.DRAFTER).user,
        answers={"q2_force_size": NO_POSITION},
        base_version=draft_response.current_number,
    )
    viewer = logged_in(people["viewer"])
    page = viewer.get(reverse("responses:question", args=[draft_response.pk, 2])).content.decode()
    assert "No position at this stage" in page
    refused = post_question(viewer, draft_response, 2, {"q2_force_size__declared": ""})
    assert refused.status_code in (302, 403)
    draft_response.refresh_from_db()
    assert draft_response.answers["q2_force_size"] == NO_POSITION
