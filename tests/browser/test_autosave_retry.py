"""An autosave that fails for a moment (PostgreSQL restarting, a proxy's error page, a dropped
connection, the rate limit) says so, keeps the text, and is saved by the page's own retry,
without the user typing again."""

import time

import pytest
from django.db import connection
from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import screenshot
from tests.browser.helpers import open_question_1, saved_comment
from tests.core.helpers import freeze_rate_limit_clock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AUTOSAVE = "**/autosave/"
NOTHING_LISTENS = "9"  # the discard port: connections are refused at once, as while PostgreSQL is down


def autosave_requests(page: Page) -> list[float]:
    """When each autosave request left the page."""
    sent: list[float] = []
    page.on("request", lambda request: sent.append(time.monotonic()) if "/autosave/" in request.url else None)
    return sent


def test_an_autosave_refused_while_postgres_restarts_is_retried_by_the_page(
    page: Page, live_server, us_round, monkeypatch
):
    """The first autosave reaches the real server while PostgreSQL refuses connections (the live
    server opens one per request), and gets Django's own error page; the server side of a restart
    is in tests/faults/test_postgres_restart.py."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the restart is PostgreSQL's (CI runs it)")
    open_question_1(page, live_server.url)
    sent = autosave_requests(page)
    failed: list[int] = []

    def while_postgres_is_down(route: Route) -> None:
        if failed:
            route.continue_()
            return
        with monkeypatch.context() as down:
            down.setitem(connection.settings_dict, "PORT", NOTHING_LISTENS)
            reply = route.fetch()
        failed.append(reply.status)
        route.fulfill(response=reply)

    page.route(AUTOSAVE, while_postgres_is_down)
    comments = page.get_by_label("Comments on participation and troops")
    comments.fill("Typed while the database restarted.")

    status = page.get_by_test_id("autosave-status")
    expect(status).to_contain_text("Not saved: the server is unavailable", timeout=15_000)
    expect(status).to_contain_text("retrying")
    assert failed == [500]
    assert saved_comment() is None
    expect(comments).to_have_value("Typed while the database restarted.")
    screenshot(page, "autosave-postgres-restarting")

    expect(status).to_contain_text("Saved at", timeout=30_000)
    assert saved_comment() == "Typed while the database restarted."
    assert len(sent) == 2  # the failed save and the page's own retry


@pytest.mark.parametrize(
    ("failure", "says"),
    [("503", "Not saved: the server is unavailable"), ("reset", "Not saved: no connection")],
    ids=["proxy-503", "connection-reset"],
)
def test_an_autosave_that_fails_once_is_retried_by_the_page(page: Page, live_server, us_round, failure, says):
    open_question_1(page, live_server.url)
    sent = autosave_requests(page)

    def fail_the_first(route: Route) -> None:
        if len(sent) > 1:
            route.continue_()
        elif failure == "503":
            route.fulfill(status=503, content_type="text/html", body="<h1>503 Service Unavailable</h1>")
        else:
            route.abort("connectionreset")

    page.route(AUTOSAVE, fail_the_first)
    comments = page.get_by_label("Comments on participation and troops")
    comments.fill("Typed during the outage.")

    status = page.get_by_test_id("autosave-status")
    expect(status).to_contain_text(says, timeout=15_000)
    expect(status).not_to_contain_text("session")  # an error page is not an expired session
    assert saved_comment() is None
    expect(comments).to_have_value("Typed during the outage.")

    expect(status).to_contain_text("Saved at", timeout=30_000)
    assert saved_comment() == "Typed during the outage."
    assert len(sent) == 2


def test_over_the_autosave_limit_the_page_waits_as_told_then_saves(
    page: Page, live_server, us_round, settings, monkeypatch
):
    settings.AUTOSAVES_PER_WINDOW = 1
    settings.AUTOSAVE_WINDOW_SECONDS = 60
    clock = freeze_rate_limit_clock(monkeypatch, 60, seconds_left=8)  # so Retry-After is 8 s
    open_question_1(page, live_server.url)
    sent = autosave_requests(page)
    replies: list[tuple[float, int]] = []
    page.on(
        "response",
        lambda reply: replies.append((time.monotonic(), reply.status)) if "/autosave/" in reply.url else None,
    )
    comments = page.get_by_label("Comments on participation and troops")
    status = page.get_by_test_id("autosave-status")
    comments.fill("First.")
    expect(status).to_contain_text("Saved at", timeout=15_000)

    # Over the limit, and typing on: the next save still waits for the Retry-After.
    comments.fill("First. Second, too soon.")
    expect(status).to_contain_text("too many saves", timeout=15_000)
    comments.fill("First. Second, too soon. Typed on while the page waits.")
    screenshot(page, "autosave-rate-limited")
    clock.next_window()
    expect(status).to_contain_text("Saved at", timeout=20_000)
    assert saved_comment() == "First. Second, too soon. Typed on while the page waits."
    assert [code for _at, code in replies] == [200, 429, 200]
    assert sent[2] - replies[1][0] >= 7.0  # not the 3 s after typing

    # Over the limit again (one save per window), and not typing: the page saves by itself.
    comments.fill("Third, too soon.")
    expect(status).to_contain_text("too many saves", timeout=15_000)
    expect(comments).to_have_value("Third, too soon.")
    clock.next_window()
    expect(status).to_contain_text("Saved at", timeout=20_000)
    assert saved_comment() == "Third, too soon."
    assert [code for _at, code in replies] == [200, 429, 200, 429, 200]
    assert sent[4] - replies[3][0] >= 7.0
