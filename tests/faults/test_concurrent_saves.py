"""A burst of concurrent saves to one draft: every save is kept (merged field by field) or
reported as a conflict; none is lost. PostgreSQL serialises them with the row lock of
select_for_update; SQLite, which ignores it, with BEGIN IMMEDIATE and its busy timeout (see
config/settings/base.py), so the test runs on both."""

import threading

import pytest
from django.db import connections

from responses.models import Country, Membership, ResponseVersion
from responses.services import EditConflict, response_save_draft, response_start
from tests.responses.factories import MembershipFactory

FIELDS = [
    "q1_comments",
    "q2_comments",
    "q3_comments",
    "q4_comments",
    "q5_comments",
    "q6_comments",
    "q1_participate",
    "q2_posture",
    "q4_commitment_form",
    "q6_timing",
]
VALUES = {
    "q1_participate": "yes",
    "q2_posture": "mixed",
    "q4_commitment_form": "treaty",
    "q6_timing": "immediately",
}


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_saves_from_the_same_base_loses_nothing(us_round):
    france = Country.objects.get(code="FR")
    response = response_start(round=us_round, countries=[france])
    editors = [MembershipFactory(country=france, role=Membership.Role.DRAFTER).user for _ in FIELDS]
    response_save_draft(response=response, user=editors[0], answers={"q1_send_troops": "no"}, base_version=0)
    start = threading.Barrier(len(FIELDS))
    outcomes: list[str] = []

    def save(editor, key):
        try:
            start.wait()
            value = VALUES.get(key, f"Written by {editor.username}")
            response_save_draft(response=response, user=editor, answers={key: value}, base_version=1)
            outcomes.append("saved")
        except EditConflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(e, k)) for e, k in zip(editors, FIELDS, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert outcomes.count("saved") == len(FIELDS)  # different fields: all merge, no conflict
    response.refresh_from_db()
    final = response.answers
    for editor, key in zip(editors, FIELDS, strict=True):
        assert final[key] == VALUES.get(key, f"Written by {editor.username}"), key
    assert final["q1_send_troops"] == "no"
    numbers = list(ResponseVersion.objects.filter(response=response).values_list("number", flat=True))
    assert sorted(numbers) == list(range(1, len(FIELDS) + 2))


@pytest.mark.django_db(transaction=True)
def test_a_burst_on_the_same_field_keeps_one_and_reports_the_rest(us_round):
    france = Country.objects.get(code="FR")
    response = response_start(round=us_round, countries=[france])
    editors = [MembershipFactory(country=france, role=Membership.Role.DRAFTER).user for _ in range(6)]
    response_save_draft(response=response, user=editors[0], answers={"q1_comments": "Start"}, base_version=0)
    start = threading.Barrier(len(editors))
    outcomes: list[str] = []

    def save(editor):
        try:
            start.wait()
            response_save_draft(
                response=response, user=editor, answers={"q1_comments": editor.username}, base_version=1
            )
            outcomes.append(editor.username)
        except EditConflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(e,)) for e in editors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    winners = [o for o in outcomes if o != "conflict"]
    assert len(winners) == 1 and outcomes.count("conflict") == len(editors) - 1
    response.refresh_from_db()
    assert response.answers["q1_comments"] == winners[0]
