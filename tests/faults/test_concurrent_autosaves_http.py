"""Concurrent autosaves to one draft over HTTP, through the real view and middleware, on whichever
database the suite runs with (SQLite for `make test`, PostgreSQL in CI). Every reply must be a save
(200, saved or merged) or a conflict (409), never a 500, and every acknowledged value must be in
the version the reply named.

On SQLite the saves are serialised by `transaction_mode: IMMEDIATE` and the busy timeout (see
config/settings/base.py); without them 4 of 6 came back 500 "database is locked". The test
database must be a file for this (config/settings/test.py): threads cannot share the in-memory one.
"""

import threading
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from responses.models import Country, Membership, Response, ResponseVersion
from responses.selectors import version_rebuilt
from responses.services import response_save_draft, response_start
from tests.responses.factories import MembershipFactory

QUESTIONS = [1, 2, 3, 4, 5, 6]


def _drafter_clients(country: Country, count: int) -> list[tuple[str, Client]]:
    """Logged in before the burst, so that the burst itself is only autosaves. Each client
    answers a 500 with its response instead of raising, so that a failure is counted, not lost."""
    clients = []
    for _ in range(count):
        user = MembershipFactory(country=country, role=Membership.Role.DRAFTER).user
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients.append((user.username, client))
    return clients


def _burst(posts: list[tuple[Client, str, dict[str, Any]]]) -> list[tuple[int, dict[str, Any]]]:
    """Sends every post at the same moment, one thread each; returns (status, JSON body) in the
    order of `posts`."""
    start = threading.Barrier(len(posts))
    replies: list[tuple[int, dict[str, Any]] | None] = [None] * len(posts)

    def send(index: int, client: Client, url: str, data: dict[str, Any]) -> None:
        try:
            start.wait(timeout=30)
            reply = client.post(url, data)
            body = reply.json() if reply.get("Content-Type", "").startswith("application/json") else {}
            replies[index] = (reply.status_code, body)
        finally:
            # Each thread has its own connection; left open it would keep PostgreSQL from
            # dropping the test database.
            connections.close_all()

    threads = [
        threading.Thread(target=send, args=(index, client, url, data))
        for index, (client, url, data) in enumerate(posts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert all(reply is not None for reply in replies), "a save never answered"
    return [reply for reply in replies if reply is not None]


def _autosave_url(response: Response, number: int) -> str:
    return reverse("responses:autosave", args=[response.pk, number])


def _version_answers(response: Response, number: int) -> dict[str, Any]:
    return version_rebuilt(response, number).answers


@pytest.fixture
def france_draft(us_round) -> tuple[Response, Country]:
    france = Country.objects.get(code="FR")
    response = response_start(round=us_round, countries=[france])
    author = MembershipFactory(country=france, role=Membership.Role.DRAFTER).user
    start = {f"q{n}_comments": "Start" for n in QUESTIONS}
    response_save_draft(response=response, user=author, answers=start, base_version=0)
    return response, france


@pytest.mark.django_db(transaction=True)
def test_concurrent_autosaves_to_different_questions_all_merge(france_draft):
    response, france = france_draft
    clients = _drafter_clients(france, len(QUESTIONS))
    posts = [
        (client, _autosave_url(response, n), {"base_version": 1, f"q{n}_comments": f"By {username}"})
        for n, (username, client) in zip(QUESTIONS, clients, strict=True)
    ]

    replies = _burst(posts)

    assert [status for status, _ in replies] == [200] * len(posts), replies
    assert {body["status"] for _, body in replies} <= {"saved", "merged"}
    response.refresh_from_db()
    final = response.answers
    for n, (username, _) in zip(QUESTIONS, clients, strict=True):
        assert final[f"q{n}_comments"] == f"By {username}"
    for (_status, body), n, (username, _) in zip(replies, QUESTIONS, clients, strict=True):
        assert _version_answers(response, body["version"])[f"q{n}_comments"] == f"By {username}"
    # One new version per save, numbered without a gap or a duplicate.
    numbers = sorted(ResponseVersion.objects.filter(response=response).values_list("number", flat=True))
    assert numbers == list(range(1, len(posts) + 2))


@pytest.mark.django_db(transaction=True)
def test_concurrent_autosaves_of_one_field_keep_one_and_report_the_rest_as_conflicts(france_draft):
    response, france = france_draft
    clients = _drafter_clients(france, 6)
    posts = [
        (client, _autosave_url(response, 1), {"base_version": 1, "q1_comments": f"By {username}"})
        for username, client in clients
    ]

    replies = _burst(posts)

    statuses = sorted(status for status, _ in replies)
    assert statuses == [200] + [409] * (len(posts) - 1), replies
    assert all(body["status"] == "conflict" for status, body in replies if status == 409)
    ((body, username),) = [
        (body, username)
        for (status, body), (username, _) in zip(replies, clients, strict=True)
        if status == 200
    ]
    assert _version_answers(response, body["version"])["q1_comments"] == f"By {username}"
    response.refresh_from_db()
    assert response.answers["q1_comments"] == f"By {username}"
