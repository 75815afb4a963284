"""A response drafted for weeks: versions stored as deltas rebuild exactly, editing sessions
group the saves, any save can be opened, compared and restored, and no page staff use costs more
queries as saves accumulate (times are for benchmarks/history_growth.py)."""

import random
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from responses.models import Country, EditingSession, Membership, Response, ResponseVersion
from responses.selectors import version_rebuilt, versions_rebuilt, versions_replayed
from responses.services import response_restore_version, response_save_draft, response_start
from responses.versioning import SNAPSHOT_EVERY, answers_delta, delta_apply
from tests.responses.factories import COMPLETE, MembershipFactory

pytestmark = pytest.mark.django_db

TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO)", re.I)


def sql_queries(captured: CaptureQueriesContext) -> list[str]:
    """The statements that read or write data (transaction control is not a query here)."""
    return [q["sql"] for q in captured.captured_queries if not TRANSACTION_CONTROL.match(q["sql"])]


@pytest.fixture
def france(us_round):
    return Country.objects.get(code="FR")


@pytest.fixture
def drafters(france):
    return [
        MembershipFactory(country=france, role=Membership.Role.DRAFTER, user__username=f"fr.d{n}").user
        for n in range(3)
    ]


@pytest.fixture
def response(us_round, france):
    return response_start(round=us_round, countries=[france])


def save(response: Response, user, answers) -> None:
    response.refresh_from_db()
    response_save_draft(response=response, user=user, answers=answers, base_version=response.current_number)


def drafting(response: Response, drafters, saves: int, *, run: int = 4, seed: int = 1) -> list[dict]:
    """`saves` saves through the service, the drafters taking turns in runs of `run` saves,
    each save typing a few words into a comment or changing a choice. Returns every version's
    answers as the service saw them, oldest first."""
    rng = random.Random(seed)  # noqa: S311 - test data, not cryptography
    seen: list[dict] = []
    comment = ""
    for n in range(saves):
        user = drafters[(n // run) % len(drafters)]
        response.refresh_from_db()
        answers = {} if n else dict(COMPLETE)
        if n and rng.random() < 0.2:
            postures = ["mixed", "over_the_horizon", "away_from_line"]
            postures.remove(response.answers.get("q2_posture", "mixed"))
            answers["q2_posture"] = rng.choice(postures)
        else:
            comment = (comment + f" word{n} and more text {rng.randint(0, 999)}")[-1400:]
            answers["q1_comments"] = comment.strip()
        result = response_save_draft(
            response=response, user=user, answers=answers, base_version=response.current_number
        )
        if result.created:
            seen.append(dict(result.answers))
    return seen


class TestDeltas:
    def test_a_text_typed_in_one_place_stores_only_the_changed_span(self):
        before = {"q1_comments": "A" * 500, "q2_posture": "mixed"}
        after = {"q1_comments": "A" * 250 + " inserted words " + "A" * 250, "q2_posture": "mixed"}

        delta = answers_delta(before, after, metadata_before={}, metadata_after={})

        assert delta == {"edit": {"q1_comments": [250, 250, " inserted words "]}}
        rebuilt, metadata = dict(before), {}
        delta_apply(rebuilt, metadata, delta)
        assert rebuilt == after

    def test_cleared_fields_and_changed_details_are_recorded(self):
        delta = answers_delta(
            {"a": "x", "b": {"value": 1}}, {"b": {"value": 2}}, metadata_before={}, metadata_after={"m": 1}
        )
        assert delta == {"unset": ["a"], "set": {"b": {"value": 2}}, "metadata": {"m": 1}}

    def test_every_version_rebuilds_exactly_what_was_saved(self, response, drafters):
        seen = drafting(response, drafters, SNAPSHOT_EVERY * 2 + 7)

        replayed = [v.answers for v in versions_replayed(response)]
        assert replayed == seen
        picked = [1, 2, SNAPSHOT_EVERY, SNAPSHOT_EVERY + 1, SNAPSHOT_EVERY + 2, len(seen)]
        assert {n: v.answers for n, v in versions_rebuilt(response, picked).items()} == {
            n: seen[n - 1] for n in picked
        }
        response.refresh_from_db()
        assert response.answers == seen[-1]
        stored = ResponseVersion.objects.filter(response=response)
        assert set(stored.filter(is_snapshot=True).values_list("number", flat=True)) == {
            1,
            SNAPSHOT_EVERY + 1,
            2 * SNAPSHOT_EVERY + 1,
        }
        # A delta version stores no copy of the answers.
        assert all(v.answers == {} for v in stored.filter(is_snapshot=False))


class TestEditingSessions:
    def test_one_persons_consecutive_saves_are_one_session(self, response, drafters):
        drafting(response, drafters, 12, run=4)

        sessions = list(EditingSession.objects.filter(response=response).order_by("first_number"))
        assert [(s.user, s.first_number, s.last_number, s.save_count) for s in sessions] == [
            (drafters[0], 1, 4, 4),
            (drafters[1], 5, 8, 4),
            (drafters[2], 9, 12, 4),
        ]
        assert "q1_comments" in sessions[1].changed_fields

    def test_who_last_changed_each_question_is_kept_on_the_response(self, response, drafters):
        save(response, drafters[0], COMPLETE)
        save(response, drafters[1], {"q2_posture": "away_from_line"})

        page = logged_in(drafters[2]).get(reverse("responses:detail", args=[response.pk])).content.decode()
        response.refresh_from_db()
        assert response.last_change_by_question["2"] == response.current_version_id
        assert response.last_change_by_question["1"] == response.versions.get(number=1).pk
        assert page.count("Last changed by fr.d1") == 1


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class TestRestore:
    def test_an_earlier_version_comes_back_as_a_new_audited_version(self, response, drafters):
        save(response, drafters[0], COMPLETE)
        save(response, drafters[0], {"q1_comments": "First wording"})
        save(response, drafters[1], {"q1_comments": "Second wording", "q2_posture": "away_from_line"})

        client = logged_in(drafters[2])
        opened = client.get(reverse("responses:version", args=[response.pk, 2])).content.decode()
        assert "First wording" in opened and "Restore version 2" in opened
        client.post(reverse("responses:restore", args=[response.pk, 2]))

        response.refresh_from_db()
        assert response.current_number == 4
        assert response.answers == version_rebuilt(response, 2).answers
        assert response.answers["q1_comments"] == "First wording"
        session = EditingSession.objects.get(response=response, first_number=4)
        assert (session.kind, session.restored_from, session.user) == ("restore", 2, drafters[2])
        event = AuditEvent.objects.get(action=AuditEvent.Action.RESPONSE_RESTORE)
        assert (event.user, event.detail["restored_from"]) == (drafters[2], 2)

    def test_a_viewer_cannot_restore(self, response, drafters, france):
        save(response, drafters[0], COMPLETE)
        save(response, drafters[0], {"q1_comments": "Later"})
        viewer = MembershipFactory(country=france, role=Membership.Role.VIEWER).user

        reply = logged_in(viewer).post(reverse("responses:restore", args=[response.pk, 1]))

        assert reply.status_code == 403
        response.refresh_from_db()
        assert response.current_number == 2

    def test_restoring_the_same_answers_says_so(self, response, drafters):
        save(response, drafters[0], COMPLETE)
        save(response, drafters[0], {"q1_comments": "x"})
        save(response, drafters[0], {"q1_comments": None})
        with pytest.raises(Exception, match="same answers as now"):
            response_restore_version(response=response, user=drafters[0], number=1)


def page_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        reply = client.get(url)
    assert reply.status_code == 200, url
    return len(sql_queries(captured))


def staff_page_queries(response: Response, user) -> dict[str, int]:
    response.refresh_from_db()
    client = logged_in(user)
    history = reverse("responses:history", args=[response.pk])
    newest_session = EditingSession.objects.filter(response=response).order_by("-first_number").first()
    client.get(reverse("responses:detail", args=[response.pk]))  # sessions and caches warm
    return {
        "question": page_queries(client, reverse("responses:question", args=[response.pk, 1])),
        "response": page_queries(client, reverse("responses:detail", args=[response.pk])),
        "history": page_queries(client, history),
        "history page 2": page_queries(client, f"{history}?page=2"),
        "session": page_queries(client, f"{history}?session={newest_session.pk}"),
        "diff": page_queries(
            client, reverse("responses:diff", args=[response.pk]) + f"?from=1&to={response.current_number}"
        ),
    }


def test_staff_pages_cost_the_same_queries_at_100_and_1000_saves(response, drafters):
    drafting(response, drafters, 100)
    at_100 = staff_page_queries(response, drafters[0])
    drafting(response, drafters, 900, seed=2)
    at_1000 = staff_page_queries(response, drafters[0])

    assert at_1000 == at_100


AUTOSAVE_MAX_QUERIES = 6


def autosave_queries(client: Client, response: Response, data: dict) -> tuple[dict, list[str]]:
    """An autosave of question 1 as the page sends it: every input of the page."""
    page = {"q1_participate": "yes", "q1_send_troops": "no", **data}
    with CaptureQueriesContext(connection) as captured:
        reply = client.post(reverse("responses:autosave", args=[response.pk, 1]), page)
    assert reply.status_code == 200, reply.content
    return reply.json(), sql_queries(captured)


class TestAutosaveCost:
    def test_an_autosave_takes_at_most_six_queries(self, response, drafters):
        save(response, drafters[0], COMPLETE)
        client = logged_in(drafters[0])
        autosave_queries(client, response, {"base_version": 1, "q1_comments": "Warm"})  # opens the session

        reply, queries = autosave_queries(client, response, {"base_version": 2, "q1_comments": "Typed on"})

        assert reply["status"] == "saved"
        assert len(queries) <= AUTOSAVE_MAX_QUERIES, "\n".join(queries)

    def test_a_merged_autosave_takes_at_most_six_queries_and_carries_the_colleagues_value(
        self, response, drafters
    ):
        save(response, drafters[0], COMPLETE)
        client = logged_in(drafters[0])
        autosave_queries(client, response, {"base_version": 1, "q1_comments": "Mine"})
        save(response, drafters[1], {"q1_participate": "undecided"})

        reply, queries = autosave_queries(client, response, {"base_version": 2, "q1_comments": "Mine, more"})

        assert reply["status"] == "merged"
        # Every input of the changed field, its (empty) declaration inputs included.
        assert reply["fields"] == {
            "q1_participate": "undecided",
            "q1_participate__declared": "",
            "q1_participate__declared_reason": "",
        }
        assert len(queries) <= AUTOSAVE_MAX_QUERIES, "\n".join(queries)

    def test_the_autosave_query_count_does_not_grow_with_saves(self, response, drafters):
        save(response, drafters[0], COMPLETE)
        client = logged_in(drafters[0])
        autosave_queries(client, response, {"base_version": 1, "q1_comments": "Warm"})
        _, early = autosave_queries(client, response, {"base_version": 2, "q1_comments": "Early"})
        drafting(response, drafters[:1], 300, run=300)
        response.refresh_from_db()
        _, late = autosave_queries(
            client, response, {"base_version": response.current_number, "q1_comments": "Late"}
        )
        assert len(late) == len(early)


class TestPresenceCost:
    def test_heartbeats_after_the_first_touch_no_database(self, response, drafters):
        save(response, drafters[0], COMPLETE)
        alice, bob = logged_in(drafters[0]), logged_in(drafters[1])
        url = reverse("responses:presence", args=[response.pk])
        alice.post(url, {"question": "1"})
        bob.post(url, {"question": "2"})

        with CaptureQueriesContext(connection) as captured:
            reply = alice.post(url, {"question": "1"})

        assert reply.json()["others"] == [{"name": "fr.d1", "question": 2}]
        assert sql_queries(captured) == []

    def test_a_grant_is_only_issued_to_a_member(self, response, drafters):
        save(response, drafters[0], COMPLETE)
        outsider = MembershipFactory(country=Country.objects.get(code="DE")).user
        url = reverse("responses:presence", args=[response.pk])

        assert logged_in(outsider).post(url, {"question": "1"}).status_code == 404
        assert Client().post(url, {"question": "1"}).status_code == 302
