"""What the pages say around a draft (issue 10, point 3): required-for-submission fields are
marked for everyone who edits, drafters see the approver's "still missing" list, a returned
response says so to its readers, the tabs mark a coordinator's comments, and the autosave reply
carries the tabs' progress."""

import pytest
from django.test import Client
from django.urls import reverse

from responses.models import Country
from responses.services import response_return, response_save_draft, response_start, response_submit
from tests.responses.factories import COMPLETE

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def partial_draft(us_round, people):
    response = response_start(round=us_round, countries=[Country.objects.get(code="FR")])
    response_save_draft(
        response=response, user=people["drafter"], answers={"q1_participate": "yes"}, base_version=0
    )
    return response


def test_a_drafter_sees_which_fields_submission_needs_and_what_is_still_missing(partial_draft, people):
    drafter = logged_in(people["drafter"])
    question = drafter.get(reverse("responses:question", args=[partial_draft.pk, 2])).content.decode()
    assert question.count("Required for submission.") >= 3  # force size, posture, command...

    detail = drafter.get(reverse("responses:detail", args=[partial_draft.pk])).content.decode()
    assert 'data-testid="missing"' in detail
    assert "Total personnel proposed for the contingent" in detail  # the same list the approver gets


def test_a_reader_is_told_the_submission_was_returned_and_the_tabs_mark_comments(us_round, people):
    response = response_start(round=us_round, countries=[Country.objects.get(code="FR")])
    response_save_draft(response=response, user=people["drafter"], answers=COMPLETE, base_version=0)
    response_submit(response=response, user=people["approver"])
    response_return(
        response=response,
        user=people["coordinator"],
        comment="Please say more.",
        question_comments={"q2": "Which duration?"},
    )

    for reader in ("analyst", "coordinator"):
        for name in ("responses:detail", "responses:history"):
            page = logged_in(people[reader]).get(reverse(name, args=[response.pk])).content.decode()
            assert 'data-testid="returned-banner"' in page, (reader, name)
    history = logged_in(people["drafter"]).get(reverse("responses:history", args=[response.pk]))
    assert 'data-testid="return-banner"' in history.content.decode()

    tabs = (
        logged_in(people["drafter"])
        .get(reverse("responses:question", args=[response.pk, 1]))
        .content.decode()
    )
    assert 'data-testid="comment-q2"' in tabs and 'data-testid="comment-q1"' not in tabs


def test_the_autosave_reply_carries_the_tabs_progress(partial_draft, people):
    drafter = logged_in(people["drafter"])
    reply = drafter.post(
        reverse("responses:autosave", args=[partial_draft.pk, 2]),
        {"base_version": 1, "q2_force_size": "20000"},
    ).json()

    progress = {item["question"]: item["state"] for item in reply["progress"]}
    assert progress[2] == "incomplete" and progress[3] == "not_started"
