import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from questionnaire.models import Round
from responses.models import Country, EditingSession, Membership, Response, ResponseVersion
from responses.selectors import version_rebuilt
from responses.services import response_return, response_start
from tests.responses.factories import MembershipFactory

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script>'


def question_url(response, number=1):
    return reverse("responses:question", args=[response.pk, number])


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def current(response) -> ResponseVersion:
    response.refresh_from_db()
    return version_rebuilt(response, response.current_number)


class TestQuestionForm:
    def test_every_field_type_gets_its_widget_with_a_label(self, draft_response, people):
        html = logged_in(people["drafter"]).get(question_url(draft_response)).content.decode()

        assert re.search(r'type="radio"[^>]*name="q1_participate" value="yes_with_conditions"', html)
        assert re.search(r"<legend[^>]*>\s*Would your government take part", html)
        assert re.search(r'type="checkbox"[^>]*name="q1_roles_offered" value="air_policing"', html)
        assert re.search(r'<input type="number" name="q1_troops_offered"[^>]*min="0"[^>]*max="100000"', html)
        assert '<span class="input-group-text">personnel</span>' in html
        assert 'name="q1_troops_offered__kind" value="estimate"' in html
        assert 'name="q1_roles_offered__other"' in html
        assert re.search(r'<select name="q1_other_contributors"[^>]*data-searchable="true"', html)
        assert re.search(r'<textarea name="q1_comments"[^>]*maxlength="4000"', html)
        for key in ("q1_troops_offered", "q1_comments", "q1_other_contributors"):
            assert re.search(rf'<label[^>]*for="id_{key}"', html), key

    def test_help_text_from_the_definition_is_escaped(self, draft_response, people):
        from questionnaire.models import Field

        # Saved as the admin saves it: the per-process copy of the questionnaire is renewed.
        field = Field.objects.get(key="q1_comments")
        field.help_text = XSS
        field.save()
        html = logged_in(people["drafter"]).get(question_url(draft_response)).content.decode()

        assert XSS not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html

    def test_a_rejected_post_keeps_everything_typed_and_saves_nothing(self, draft_response, people):
        before = current(draft_response).number
        response = logged_in(people["drafter"]).post(
            question_url(draft_response),
            {
                "base_version": before,
                "q1_participate": "yes",
                "q1_send_troops": "yes",
                "q1_troops_offered": "250000",
                "q1_comments": "Carefully drafted text that must survive",
            },
        )

        html = response.content.decode()
        assert response.status_code == 200
        assert "Enter a whole number from 0 to 100,000." in html
        assert "Carefully drafted text that must survive</textarea>" in html
        assert 'value="250000"' in html
        assert current(draft_response).number == before

    def test_a_contradiction_is_refused_at_the_field(self, draft_response, people):
        response = logged_in(people["drafter"]).post(
            question_url(draft_response),
            {
                "base_version": current(draft_response).number,
                "q1_send_troops": "no",
                "q1_troops_offered": "500",
            },
        )

        assert response.status_code == 200
        assert "This answer does not apply with your answer to “Would your government send troops" in (
            response.content.decode()
        )

    def test_conditional_fields_appear_after_a_save_without_javascript(self, draft_response, people):
        client = logged_in(people["drafter"])
        hidden = client.get(question_url(draft_response)).content.decode()
        assert re.search(r'class="answer-field mb-4 d-none"[^>]*data-field-key="q1_troops_offered"', hidden)

        client.post(
            question_url(draft_response),
            {
                "base_version": current(draft_response).number,
                "q1_participate": "yes",
                "q1_send_troops": "yes",
            },
        )

        shown = client.get(question_url(draft_response)).content.decode()
        assert re.search(r'class="answer-field mb-4"[^>]*data-field-key="q1_troops_offered"', shown)

    def test_save_and_continue(self, draft_response, people):
        response = logged_in(people["drafter"]).post(
            question_url(draft_response),
            {"base_version": current(draft_response).number, "q1_participate": "undecided", "save_next": "1"},
        )

        assert response.status_code == 302
        assert response["Location"] == question_url(draft_response, 2)
        assert current(draft_response).answers["q1_participate"] == "undecided"


class TestAutosave:
    def url(self, response):
        return reverse("responses:autosave", args=[response.pk, 1])

    def test_saves_and_answers_with_the_new_version(self, draft_response, people):
        base = current(draft_response).number

        reply = logged_in(people["drafter"]).post(
            self.url(draft_response), {"base_version": base, "q1_participate": "no", "q1_send_troops": "no"}
        )

        data = reply.json()
        assert reply.status_code == 200
        assert data["status"] == "saved" and data["version"] == base + 1
        assert data["message"].startswith("Saved at ")
        assert current(draft_response).answers["q1_participate"] == "no"

    def test_invalid_input_is_reported_by_field_and_not_saved(self, draft_response, people):
        base = current(draft_response).number

        reply = logged_in(people["drafter"]).post(
            self.url(draft_response),
            {"base_version": base, "q1_send_troops": "yes", "q1_troops_offered": "-5"},
        )

        assert reply.status_code == 422
        assert "q1_troops_offered" in reply.json()["errors"]
        assert current(draft_response).number == base

    def test_a_stale_save_of_the_same_field_is_a_conflict_naming_who(self, draft_response, people):
        base = current(draft_response).number
        drafter, approver = logged_in(people["drafter"]), logged_in(people["approver"])
        drafter.post(
            self.url(draft_response),
            {
                "base_version": base,
                "q1_comments": "Drafter's wording",
                "q1_participate": "yes",
                "q1_send_troops": "no",
            },
        )

        reply = approver.post(
            self.url(draft_response),
            {
                "base_version": base,
                "q1_comments": "Approver's wording",
                "q1_participate": "yes",
                "q1_send_troops": "no",
            },
        )

        assert reply.status_code == 409
        data = reply.json()
        assert data["status"] == "conflict"
        assert "Comments on participation and troops" in data["message"]
        assert people["drafter"].username in data["message"] or "Drafter" in data["message"]
        assert current(draft_response).answers["q1_comments"] == "Drafter's wording"

    def test_an_expired_session_gets_no_save(self, draft_response):
        reply = Client().post(self.url(draft_response), {"base_version": 1, "q1_participate": "no"})

        assert reply.status_code == 302
        assert reply["Location"].startswith(reverse("login"))


class TestTwoEditorsOnTheQuestionPage:
    def test_conflict_is_shown_field_by_field_and_the_user_chooses(self, draft_response, people):
        base = current(draft_response).number
        alice, bob = logged_in(people["drafter"]), logged_in(people["approver"])
        common = {"q1_participate": "yes", "q1_send_troops": "no"}
        alice.post(
            question_url(draft_response), {**common, "base_version": base, "q1_comments": "Alice text"}
        )

        page = bob.post(
            question_url(draft_response), {**common, "base_version": base, "q1_comments": "Bob text"}
        )

        html = page.content.decode()
        assert page.status_code == 200
        assert 'data-testid="conflict"' in html
        assert "Alice text" in html and "Bob text</textarea>" in html
        assert f'name="base_version" value="{base + 1}"' in html
        assert current(draft_response).answers["q1_comments"] == "Alice text"

        bob.post(
            question_url(draft_response),
            {**common, "base_version": base + 1, "q1_comments": "Bob text", "resolve_q1_comments": "theirs"},
        )
        assert current(draft_response).answers["q1_comments"] == "Alice text"

        bob.post(
            question_url(draft_response),
            {**common, "base_version": base + 1, "q1_comments": "Bob text", "resolve_q1_comments": "mine"},
        )
        assert current(draft_response).answers["q1_comments"] == "Bob text"

    def test_presence_shows_who_else_has_it_open(self, draft_response, people):
        url = reverse("responses:presence", args=[draft_response.pk])
        logged_in(people["drafter"]).post(url, {"question": "2"})

        others = logged_in(people["approver"]).post(url, {"question": "1"}).json()["others"]

        assert others == [{"name": people["drafter"].get_full_name() or "fr.d", "question": 2}]


class TestHistory:
    def test_lists_versions_and_highlights_text_differences_escaped(self, draft_response, people):
        client = logged_in(people["drafter"])
        base = current(draft_response).number
        common = {"q1_participate": "yes", "q1_send_troops": "no"}
        client.post(
            question_url(draft_response),
            {**common, "base_version": base, "q1_comments": "We support the plan"},
        )
        client.post(
            question_url(draft_response),
            {**common, "base_version": base + 1, "q1_comments": f"We strongly support the plan {XSS}"},
        )

        history_url = reverse("responses:history", args=[draft_response.pk])
        history = client.get(history_url).content.decode()
        # One person's consecutive saves are one editing session, listed with what it changed.
        assert 'data-testid="session-1"' in history
        assert "3 saves" in history
        assert "Comments on participation and troops" in history
        session = EditingSession.objects.get(response=draft_response)
        saves = client.get(f"{history_url}?session={session.pk}").content.decode()
        assert all(f'data-testid="version-{n}"' in saves for n in (1, 2, 3))

        diff = client.get(
            reverse("responses:diff", args=[draft_response.pk]) + f"?from={base + 1}&to={base + 2}"
        ).content.decode()
        assert "<ins>strongly</ins>" in diff
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in diff
        assert XSS not in diff


class TestSubmissionWorkflow:
    def test_review_lists_what_is_missing_then_the_approver_submits(self, us_round, people):
        response = response_start(round=us_round, countries=[Country.objects.get(code="FR")])
        approver = logged_in(people["approver"])
        approver.post(
            question_url(response), {"base_version": 0, "q1_participate": "yes", "q1_send_troops": "no"}
        )

        review = approver.get(reverse("responses:submit", args=[response.pk])).content.decode()
        assert 'data-testid="missing"' in review
        assert "Q6: When" in review
        assert 'data-testid="confirm-submit"' not in review

    def test_submitted_response_is_read_only_for_the_country(self, submitted_response, people):
        drafter = logged_in(people["drafter"])

        page = drafter.get(question_url(submitted_response)).content.decode()
        assert re.search(r'<input type="radio"[^>]*name="q1_participate" value="yes"[^>]*disabled', page)
        assert "Submitted on" in page

        posted = drafter.post(
            question_url(submitted_response), {"base_version": 2, "q1_participate": "no"}, follow=True
        )
        assert "This response is submitted and read-only." in posted.content.decode()
        assert current(submitted_response).answers["q1_participate"] == "yes"

    def test_return_comment_resubmission_and_what_changed(self, submitted_response, people):
        coordinator = logged_in(people["coordinator"])
        coordinator.post(
            reverse("responses:return", args=[submitted_response.pk]),
            {"comment": "Please say more on troops.", "comment_q1": "How many, roughly?"},
        )
        submitted_response.refresh_from_db()
        assert submitted_response.status == Response.Status.RETURNED

        drafter = logged_in(people["drafter"])
        page = drafter.get(question_url(submitted_response)).content.decode()
        assert "Please say more on troops." in page
        assert 'data-testid="question-comment"' in page and "How many, roughly?" in page

        drafter.post(
            question_url(submitted_response),
            {
                "base_version": current(submitted_response).number,
                "q1_participate": "yes",
                "q1_send_troops": "yes",
                "q1_troops_offered": "1500",
                "q1_troops_offered__kind": "estimate",
            },
        )
        logged_in(people["approver"]).post(
            reverse("responses:submit", args=[submitted_response.pk]),
            {"reviewed_version": current(submitted_response).number},
        )
        submitted_response.refresh_from_db()
        assert submitted_response.status == Response.Status.SUBMITTED

        detail = coordinator.get(reverse("responses:detail", args=[submitted_response.pk])).content.decode()
        assert "See what changed since the returned version" in detail
        link = (
            re.search(r'href="([^"]+compare/\?from=\d+&amp;to=\d+)"', detail).group(1).replace("&amp;", "&")
        )
        diff = coordinator.get(link).content.decode()
        assert "1,500 personnel (estimate)" in diff


class TestVisibility:
    def test_analyst_sees_the_submitted_version_never_the_new_draft(self, submitted_response, people):
        response_return(
            response=submitted_response,
            user=people["coordinator"],
            comment="More detail",
            question_comments={},
        )
        drafter = logged_in(people["drafter"])
        drafter.post(
            question_url(submitted_response),
            {
                "base_version": current(submitted_response).number,
                "q1_participate": "undecided",
                "q1_send_troops": "no",
                "q1_comments": "DRAFT-ONLY-TEXT",
            },
        )
        draft_number = current(submitted_response).number
        analyst = logged_in(people["analyst"])

        for url in (
            reverse("responses:detail", args=[submitted_response.pk]),
            question_url(submitted_response),
            reverse("responses:history", args=[submitted_response.pk]),
        ):
            html = analyst.get(url).content.decode()
            assert "DRAFT-ONLY-TEXT" not in html, url
            assert not re.search(r'name="q1_participate" value="undecided"[^>]*checked', html), url
        history = analyst.get(reverse("responses:history", args=[submitted_response.pk])).content.decode()
        assert f'data-testid="version-{draft_number}"' not in history
        # Submissions are numbered 1, 2, ... for analysts: no hint of how many drafts there were.
        assert 'data-testid="version-1"' in history and 'data-testid="version-2"' not in history
        assert "Draft save" not in history
        diff = analyst.get(
            reverse("responses:diff", args=[submitted_response.pk]) + f"?from=2&to={draft_number}"
        )
        assert diff.status_code == 404

    def test_every_view_of_a_response_is_audited(self, submitted_response, people):
        logged_in(people["analyst"]).get(reverse("responses:detail", args=[submitted_response.pk]))

        event = AuditEvent.objects.filter(user=people["analyst"], action="response.view").get()
        assert event.response == submitted_response
        assert event.version == submitted_response.submitted_version

    def test_a_joint_response_appears_once_naming_all_authors(self, us_round, people):
        coordinator = logged_in(people["coordinator"])
        nordic = Country.objects.filter(code__in=["DK", "NO", "IS"])
        created = coordinator.post(reverse("responses:joint_create"), {"countries": [c.pk for c in nordic]})
        assert created.status_code == 302

        norwegian = MembershipFactory(
            country=Country.objects.get(code="NO"), role=Membership.Role.DRAFTER
        ).user
        listing = logged_in(norwegian).get(reverse("responses:list")).content.decode()
        assert listing.count("Denmark, Iceland, Norway") == 1
        assert "joint response" in listing

    def test_a_liaison_officer_sees_each_of_their_countries(self, us_round):
        officer = MembershipFactory(country=Country.objects.get(code="BE"), role=Membership.Role.DRAFTER).user
        Membership.objects.create(
            user=officer, country=Country.objects.get(code="LU"), role=Membership.Role.VIEWER
        )

        listing = logged_in(officer).get(reverse("responses:list")).content.decode()

        assert "Belgium" in listing and "Luxembourg" in listing
        assert "France" not in listing


class TestClosedRound:
    def test_after_the_deadline_the_page_says_why_and_nothing_saves(self, draft_response, people, us_round):
        Round.objects.filter(pk=us_round.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
        drafter = logged_in(people["drafter"])

        page = drafter.get(question_url(draft_response)).content.decode()
        assert 'data-testid="closed-banner"' in page
        assert "The deadline of this round has passed" in page

        posted = drafter.post(
            question_url(draft_response), {"base_version": 1, "q1_participate": "no"}, follow=True
        )
        assert "The deadline of this round has passed" in posted.content.decode()
        reply = drafter.post(reverse("responses:autosave", args=[draft_response.pk, 1]), {"base_version": 1})
        assert reply.status_code == 409
        assert json.loads(reply.content)["status"] == "refused"

    def test_a_closed_round_says_the_coordinator_closed_it(self, draft_response, people, us_round):
        Round.objects.filter(pk=us_round.pk).update(status=Round.Status.CLOSED)

        page = logged_in(people["drafter"]).get(question_url(draft_response)).content.decode()

        assert "The coordinator has closed this round" in page


def test_a_drafter_starts_the_countrys_response(us_round, people):
    client = logged_in(people["drafter"])

    offer = client.get(reverse("responses:country", args=["fr"]))
    assert "Start the response" in offer.content.decode()
    started = client.post(reverse("responses:country", args=["fr"]))

    response = Response.objects.get()
    assert started["Location"] == question_url(response)
    assert list(response.authors.values_list("code", flat=True)) == ["FR"]
    viewer_offer = logged_in(people["viewer"]).get(reverse("responses:country", args=["fr"]))
    assert viewer_offer.status_code == 302  # now it exists: straight to it


class TestColleaguesChangesSurviveTheConflictPage:
    def test_fields_only_the_colleague_changed_are_shown_as_they_now_are(self, draft_response, people):
        base = current(draft_response).number
        alice, bob = logged_in(people["drafter"]), logged_in(people["approver"])
        alice.post(
            question_url(draft_response),
            {"base_version": base, "q1_participate": "no", "q1_send_troops": "no", "q1_comments": "Alice"},
        )

        page = bob.post(
            question_url(draft_response),
            {"base_version": base, "q1_participate": "yes", "q1_send_troops": "no", "q1_comments": "Bob"},
        ).content.decode()

        assert re.search(r'name="q1_participate" value="no"[^>]*checked', page), "Alice's answer is shown"
        resolved = {
            "base_version": base + 1,
            "q1_participate": "no",
            "q1_send_troops": "no",
            "q1_comments": "Bob",
        }
        bob.post(question_url(draft_response), {**resolved, "resolve_q1_comments": "mine"})
        answers = current(draft_response).answers
        assert (answers["q1_participate"], answers["q1_comments"]) == ("no", "Bob")

    def test_autosave_reply_carries_what_a_colleague_changed_on_this_page(self, draft_response, people):
        base = current(draft_response).number
        url = reverse("responses:autosave", args=[draft_response.pk, 1])
        logged_in(people["drafter"]).post(
            url, {"base_version": base, "q1_participate": "no", "q1_send_troops": "no"}
        )

        reply = logged_in(people["approver"]).post(
            url,
            {"base_version": base, "q1_participate": "yes", "q1_send_troops": "no", "q1_comments": "Mine"},
        )

        data = reply.json()
        assert data["status"] == "merged"
        # The page puts the colleague's answer in place without a reload, and goes on saving
        # from the merged version.
        assert data["fields"] == {
            "q1_participate": "no",
            "q1_participate__declared": "",
            "q1_participate__declared_reason": "",
        }
        assert data["version"] == current(draft_response).number
        answers = current(draft_response).answers
        assert (answers["q1_participate"], answers["q1_comments"]) == ("no", "Mine")


class TestDatabaseUnavailableMidSave:
    """The database failing under a save (a restart, a lock time-out) loses nothing typed. The
    failure is injected: the real restart is tests/faults/test_postgres_restart.py."""

    def test_the_question_page_comes_back_with_the_text_and_says_why(
        self, draft_response, people, monkeypatch
    ):
        from django.db import OperationalError

        def failing(**kwargs):
            raise OperationalError("server closed the connection unexpectedly")

        monkeypatch.setattr("responses.views.response_save_draft", failing)
        before = current(draft_response).number
        page = logged_in(people["drafter"]).post(
            question_url(draft_response),
            {
                "base_version": before,
                "q1_participate": "yes",
                "q1_send_troops": "no",
                "q1_comments": "Kept text",
            },
        )

        assert page.status_code == 503
        html = page.content.decode()
        assert "Kept text" in html
        assert "database was unavailable for a moment" in html
        assert current(draft_response).number == before

    def test_an_autosave_is_told_to_retry(self, draft_response, people, monkeypatch):
        from django.db import OperationalError

        def failing(**kwargs):
            raise OperationalError("could not serialize access")

        monkeypatch.setattr("responses.views.response_save_draft", failing)
        reply = logged_in(people["drafter"]).post(
            reverse("responses:autosave", args=[draft_response.pk, 1]),
            {"base_version": current(draft_response).number, "q1_comments": "Typed"},
        )

        assert reply.status_code == 503
        assert reply["Retry-After"] == "5"
        assert reply.json()["status"] == "unavailable"
