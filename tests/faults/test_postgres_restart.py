"""PostgreSQL restarted while users work: the next request succeeds (CONN_HEALTH_CHECKS with
CONN_MAX_AGE, config/settings/base.py), and an autosave refused while the server was down is
saved by the page's retry (its browser side is tests/browser/test_autosave_retry.py).

How the restart is made. A real one (`pg_ctlcluster 15 main restart`) would also cut this test
run's own connections and every other test run on the machine's server. What a client sees of a
restart is its backend ending: a fast shutdown sends SIGTERM to every backend, which is exactly
what pg_terminate_backend() sends, and the client then reads "terminating connection due to
administrator command" and a closed socket. So the tests terminate every client backend of the
test database, and of it only, from a connection of their own; while the server is still down
new connections are refused, which the tests reproduce by pointing new connections at a port
where nothing listens.

How requests are served. Production keeps one connection per web process across requests
(CONN_MAX_AGE) and checks it at the first query of each request, armed by the request_started
signal. Django's test client switches that signal handling off, and pytest-django's live server
closes every connection after each request, so neither would notice a dead persistent
connection. The requests here go through Django's real WSGI handler on a single-threaded WSGI
server, as in a gunicorn sync worker, over plain HTTP with the session cookie and CSRF token a
page sends. Hence transaction=True: the server thread must see what the test wrote.
"""

import threading
from collections.abc import Iterator

import psycopg2
import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from responses.models import Country, Membership, Response
from responses.services import response_start
from tests.processes import Browser
from tests.responses.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

NOTHING_LISTENS = "9"  # the discard port: connections are refused at once, as while PostgreSQL is down


class BackendRecordingHandler(WSGIHandler):
    """Django's handler, noting which PostgreSQL backend served each request. Read from the
    server thread itself: other threads and processes of a full run (a live server, a Celery
    worker) open connections of their own at any moment, so a diff of pg_stat_activity cannot
    tell the worker's connection from theirs."""

    def __init__(self) -> None:
        super().__init__()
        self.backend_pids: list[int] = []

    def __call__(self, environ, start_response):
        reply = super().__call__(environ, start_response)
        if connection.connection is not None:  # the request's connection, kept by CONN_MAX_AGE
            self.backend_pids.append(connection.connection.get_backend_pid())
        return reply


class WorkerClient(Browser):
    """The browser, talking to the one worker, and reading its JSON answers as text."""

    def __init__(self, port: int, handler: BackendRecordingHandler) -> None:
        super().__init__()
        self.port = port
        self.handler = handler

    @property
    def last_backend(self) -> int:
        return self.handler.backend_pids[-1]

    def force_sign_in(self, user) -> None:
        client = Client()
        client.force_login(user)
        self.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, str, str]:
        """Returns the status, the Content-Type and the body."""
        headers = {"Accept": "application/json"} if data is not None else None
        status, reply_headers, content = super().request(self.port, method, path, data, headers=headers)
        return status, reply_headers.get("content-type", ""), content.decode()

    def autosave(self, response: Response, comment: str, base_version: int) -> tuple[int, str, str]:
        return self.request(
            "POST",
            reverse("responses:autosave", args=[response.pk, 1]),
            {"base_version": base_version, "q1_comments": comment},
        )


@pytest.fixture
def postgres() -> Iterator[psycopg2.extensions.connection]:
    """A connection of the test's own, outside Django, that outlives the restarts it makes."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the restart is PostgreSQL's (CI runs it)")
    admin = psycopg2.connect(**connection.get_connection_params())
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        # Never anything but this run's test database: other people's runs share the server.
        assert cursor.fetchone()[0].startswith("test_")
    yield admin
    admin.close()


@pytest.fixture
def worker(monkeypatch) -> Iterator[WorkerClient]:
    """A single-threaded WSGI server on Django's handler: one database connection, kept across
    requests for CONN_MAX_AGE, as in a gunicorn sync worker."""
    # The test settings close connections after every request; production keeps them (base.py's
    # default). The dict is the one every thread's connection reads its settings from.
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    server = WSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
    handler = BackendRecordingHandler()
    server.set_app(handler)

    def serve() -> None:
        try:
            server.serve_forever(poll_interval=0.05)
        finally:
            connections.close_all()  # this thread's, so that the test database can be dropped

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield WorkerClient(port=server.server_address[1], handler=handler)
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


def backends(postgres, *, except_this_thread: bool = True) -> set[int]:
    """The client backends of the test database, but the test's own."""
    own = set()
    if except_this_thread:
        connection.ensure_connection()
        own.add(connection.connection.get_backend_pid())
    with postgres.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        return {pid for (pid,) in cursor.fetchall()} - own


def restart(postgres) -> set[int]:
    """What clients see of a restart: every backend of the test database ends at once, the test's
    own included. Returns the backends ended."""
    connection.ensure_connection()
    ended = backends(postgres, except_this_thread=False)
    with postgres.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ANY(%s)", [list(ended)]
        )
    assert not connection.is_usable()  # the test's own connection is gone too: the restart is real
    connection.close()
    return ended


@pytest.fixture
def draft(us_round, worker) -> Response:
    france = Country.objects.get(code="FR")
    worker.force_sign_in(MembershipFactory(country=france, role=Membership.Role.DRAFTER).user)
    return response_start(round=us_round, countries=[france])


def saved_comment(response: Response) -> tuple[int, str | None]:
    response.refresh_from_db()
    return response.current_number, response.answers.get("q1_comments")


def test_the_next_autosave_and_page_after_a_restart_succeed(postgres, worker, draft):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True  # as base.py sets it
    question = reverse("responses:question", args=[draft.pk, 1])
    assert worker.request("GET", question)[0] == 200
    before = worker.last_backend
    status, _type, body = worker.autosave(draft, "Before the restart", base_version=0)
    assert status == 200 and '"saved"' in body
    assert worker.last_backend == before  # one connection, kept across requests

    assert before in restart(postgres)
    status, _type, body = worker.autosave(draft, "After the restart", base_version=1)

    assert status == 200 and '"saved"' in body
    after = worker.last_backend
    assert after != before and after in backends(postgres)  # the dead one was found and replaced
    assert saved_comment(draft) == (2, "After the restart")

    restart(postgres)
    status, _type, page = worker.request("GET", question)
    assert status == 200 and "After the restart" in page


def test_without_health_checks_the_first_request_after_a_restart_fails(postgres, worker, draft, monkeypatch):
    """Why CONN_HEALTH_CHECKS is on: without it the dead connection is found by a user's request,
    which fails; only the request after it reconnects."""
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", False)
    assert worker.request("GET", reverse("responses:question", args=[draft.pk, 1]))[0] == 200

    restart(postgres)
    failed = worker.autosave(draft, "Lost to the restart", base_version=0)
    retried = worker.autosave(draft, "Lost to the restart", base_version=0)

    assert failed[0] == 500
    assert retried[0] == 200 and '"saved"' in retried[2]
    assert saved_comment(draft) == (1, "Lost to the restart")


def test_an_autosave_while_postgres_is_down_fails_cleanly_and_its_retry_saves(
    postgres, worker, draft, monkeypatch
):
    """While the server is down the autosave gets an error page at once (no hang, nothing half
    saved); the page retries it (tests/browser/test_autosave_retry.py) and, once PostgreSQL is
    back, that retry is saved."""
    assert worker.request("GET", reverse("responses:question", args=[draft.pk, 1]))[0] == 200
    assert worker.autosave(draft, "Before the restart", base_version=0)[0] == 200

    with monkeypatch.context() as down:
        down.setitem(connection.settings_dict, "PORT", NOTHING_LISTENS)
        restart(postgres)
        status, content_type, _body = worker.autosave(draft, "Typed while it was down", base_version=1)
    assert status == 500
    assert content_type.startswith("text/html")  # Django's error page: the page must not take it for JSON
    assert saved_comment(draft) == (1, "Before the restart")

    status, _type, body = worker.autosave(draft, "Typed while it was down", base_version=1)
    assert status == 200 and '"saved"' in body
    assert saved_comment(draft) == (2, "Typed while it was down")
