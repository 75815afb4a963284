"""Autosave is capped per user (AUTOSAVES_PER_WINDOW per AUTOSAVE_WINDOW_SECONDS, counted in the
cache): over the cap the page gets a 429 saying when to come back, and the draft is untouched;
with the cache down the cap is lifted rather than a save refused."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from responses.models import Response
from tests.core.helpers import DEAD_REDIS, freeze_rate_limit_clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def capped(settings, monkeypatch):
    settings.AUTOSAVES_PER_WINDOW = 3
    settings.AUTOSAVE_WINDOW_SECONDS = 60
    return freeze_rate_limit_clock(monkeypatch, 60, seconds_left=17.2)


def drafter_client(people) -> Client:
    client = Client()
    client.force_login(people["drafter"])
    return client


def autosave(client: Client, response: Response, comment: str):
    response.refresh_from_db()
    return client.post(
        reverse("responses:autosave", args=[response.pk, 1]),
        {"base_version": response.current_version.number, "q1_comments": comment},
    )


def current_comment(response: Response) -> tuple[int, str]:
    response.refresh_from_db()
    return response.current_version.number, response.answers.get("q1_comments")


def test_saves_within_the_limit_are_saved(draft_response, people, capped):
    client = drafter_client(people)

    replies = [autosave(client, draft_response, f"Draft {n}") for n in range(3)]

    assert [r.status_code for r in replies] == [200, 200, 200]
    assert all(r.json()["status"] == "saved" for r in replies)
    assert current_comment(draft_response)[1] == "Draft 2"


def test_over_the_limit_a_429_says_when_to_retry_and_the_draft_is_unchanged(draft_response, people, capped):
    client = drafter_client(people)
    for n in range(3):
        autosave(client, draft_response, f"Draft {n}")
    before = current_comment(draft_response)

    reply = autosave(client, draft_response, "One save too many")

    assert reply.status_code == 429
    assert reply["Retry-After"] == "18"  # the rest of the window, rounded up
    data = reply.json()
    assert data["status"] == "rate_limited" and data["retry_after"] == 18
    assert "too many saves" in data["message"] and "stays on this page" in data["message"]
    assert current_comment(draft_response) == before == (before[0], "Draft 2")


def test_the_next_window_saves_again(draft_response, people, capped):
    client = drafter_client(people)
    for n in range(4):
        autosave(client, draft_response, f"Draft {n}")

    capped.next_window()
    reply = autosave(client, draft_response, "Saved in the next window")

    assert reply.status_code == 200 and reply.json()["status"] == "saved"
    assert current_comment(draft_response)[1] == "Saved in the next window"


def test_the_limit_is_per_user(draft_response, people, capped):
    drafter, approver = drafter_client(people), Client()
    approver.force_login(people["approver"])
    for n in range(4):
        autosave(drafter, draft_response, f"Draft {n}")

    reply = autosave(approver, draft_response, "The approver's own save")

    assert reply.status_code == 200


def test_a_limited_request_is_refused_before_any_work_on_the_response(draft_response, people, capped):
    client = drafter_client(people)
    for n in range(3):
        autosave(client, draft_response, f"Draft {n}")
    url = reverse("responses:autosave", args=[draft_response.pk, 1])

    with CaptureQueriesContext(connection) as queries:
        reply = client.post(url, {"base_version": 1, "q1_comments": "Refused early"})

    assert reply.status_code == 429
    # Only signing in: its user (the session comes from the cache, or from its table when the
    # cache has lost it or a renewal writes it).
    tables = {
        re.search(r'(?:FROM|UPDATE) "(\w+)"', q["sql"]).group(1)
        for q in queries
        if "SAVEPOINT" not in q["sql"]
    }
    assert "accounts_user" in tables
    assert tables <= {"django_session", "accounts_user"}


def test_with_redis_down_autosave_is_not_limited(draft_response, people, capped, settings):
    settings.CACHES = {"default": {"BACKEND": "core.cache.RedisCache", "LOCATION": DEAD_REDIS}}
    settings.AUTOSAVES_PER_WINDOW = 1
    client = drafter_client(people)

    replies = [autosave(client, draft_response, f"Draft {n}") for n in range(3)]

    assert [r.status_code for r in replies] == [200, 200, 200]
    assert current_comment(draft_response)[1] == "Draft 2"
