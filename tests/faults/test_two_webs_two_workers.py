"""Several processes, one truth: two web processes (two gunicorns on two ports) and two Celery
workers on the same PostgreSQL and Redis, as `docker compose up --scale` runs them.

A session signed in through web A works on web B; a report requested through A is built by
whichever worker takes it, with the request's id in that worker's JSON log lines, and is followed
and downloaded through B; the autosave rate limit and the presence of colleagues hold across both
webs. Everything crosses real sockets and real processes: nothing here runs in the test's own.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from accounts.models import User
from responses.models import Country, Membership
from responses.services import response_start
from tests.accounts.factories import AnalystFactory
from tests.processes import Browser
from tests.responses.factories import MembershipFactory, answered_and_submitted, pages

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
AUTOSAVE_LIMIT = 4
MAGIC = {"pdf": b"%PDF-", "xlsx": b"PK\x03\x04", "html": b"<!DOCTYPE html>", "csv": b""}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def process_environment() -> dict[str, str]:
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "LOG_FORMAT": "json",
        "AUTOSAVES_PER_WINDOW": str(AUTOSAVE_LIMIT),
        # One window for the whole test: the count must not start again half-way.
        "AUTOSAVE_WINDOW_SECONDS": str(24 * 3600),
    }


@pytest.fixture
def processes(tmp_path) -> Iterator[dict]:
    """Two gunicorns and two Celery workers; their logs in tmp_path. Stopped whatever happens."""
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL and Redis shared between processes (CI has both)")
    env = process_environment()
    started: list[subprocess.Popen] = []
    webs = []
    try:
        for name in ("a", "b"):
            port = free_port()
            log = open(tmp_path / f"web-{name}.log", "wb")  # noqa: SIM115 (closed with the process)
            command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers", "1"]
            command += ["--bind", f"127.0.0.1:{port}", "--access-logfile", "-"]
            started.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log))
            webs.append(port)
        workers = []
        for name in ("one", "two"):
            path = tmp_path / f"worker-{name}.log"
            log = open(path, "wb")  # noqa: SIM115 (closed with the process)
            command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo"]
            command += ["-n", f"{name}@%h", "--loglevel=INFO", "--without-gossip", "--without-mingle"]
            started.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log))
            workers.append(path)
        for port in webs:
            ready_within(port, seconds=60)
        yield {"webs": webs, "workers": workers}
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def ready_within(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if Browser().request(port, "GET", "/readyz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the web process on port {port} never became ready")


def json_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{")]


def test_a_report_requested_on_one_web_is_built_by_a_worker_and_downloaded_on_the_other(processes, us_round):
    web_a, web_b = processes["webs"]
    answered_and_submitted("FR", pages())
    analyst = Browser()
    analyst.sign_in(web_a, AnalystFactory().username)

    # The session made on A is good on B.
    status, _, page = analyst.request(web_b, "GET", "/reports/new/")
    assert status == 200 and b'name="formats"' in page
    request_id = uuid.uuid4().hex
    formats = [("formats", f) for f in ("html", "xlsx", "pdf", "csv")]
    status, headers, _ = analyst.request(
        web_a, "POST", "/reports/new/", [*formats, ("language", "en")], headers={"X-Request-ID": request_id}
    )
    assert status == 302 and headers["x-request-id"] == request_id
    pk = int(re.search(r"/reports/(\d+)/$", headers["location"]).group(1))

    deadline = time.monotonic() + 120
    while True:
        state = json.loads(analyst.request(web_b, "GET", f"/reports/{pk}/status/")[2])
        if state["finished"] or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    assert state["status"] == "done", state

    for fmt, magic in MAGIC.items():
        status, headers, content = analyst.request(web_b, "GET", f"/reports/{pk}/download/{fmt}/")
        assert status == 200 and headers["content-disposition"].startswith("attachment"), fmt
        assert content.startswith(magic), fmt
        if fmt in ("html", "csv"):
            assert "France" in content.decode("utf-8-sig"), fmt
    assert Browser().request(web_b, "GET", f"/reports/{pk}/download/pdf/")[0] == 302  # to sign-in

    # Exactly one worker built it, and its log lines of that task carry the request's id.
    built_by = {
        path.name: [line for line in json_lines(path) if "reports.build_report" in line["message"]]
        for path in processes["workers"]
    }
    builders = [name for name, lines in built_by.items() if any("succeeded" in ln["message"] for ln in lines)]
    assert len(builders) == 1, built_by
    succeeded = [line for line in built_by[builders[0]] if "succeeded" in line["message"]]
    assert [line["request_id"] for line in succeeded] == [request_id]


def test_rate_limits_and_presence_hold_across_both_webs(processes, us_round):
    web_a, web_b = processes["webs"]
    germany = Country.objects.get(code="DE")
    first, second = (MembershipFactory(country=germany, role=Membership.Role.DRAFTER).user for _ in range(2))
    User.objects.filter(pk=first.pk).update(first_name="Erste", last_name="Person")
    draft = response_start(round=us_round, countries=[germany])
    # Redis keeps rate-limit counts and presence between runs (it is not flushed: it is also the
    # broker), and ids repeat from one test database to the next: start these from nothing.
    broker = redis.Redis.from_url(settings.REDIS_URL)
    leftovers = [f"*ratelimit:autosave:{user.pk}:*" for user in (first, second)]
    for pattern in [*leftovers, f"*presence:response:{draft.pk}"]:
        for key in broker.scan_iter(match=pattern):
            broker.delete(key)
    one, other = Browser(), Browser()
    one.sign_in(web_a, first.username)
    other.sign_in(web_b, second.username)
    question = f"/responses/{draft.pk}/questions/1/"
    assert one.request(web_a, "GET", question)[0] == 200
    assert other.request(web_b, "GET", question)[0] == 200

    # Presence: the heartbeat taken by A is seen by a colleague whose heartbeats go to B.
    presence = f"/responses/{draft.pk}/presence/"
    assert json.loads(one.request(web_a, "POST", presence, {"question": 1})[2]) == {"others": []}
    seen = json.loads(other.request(web_b, "POST", presence, {"question": 1})[2])["others"]
    assert [o["name"] for o in seen] == ["Erste Person"]

    # The autosave limit counts one person's saves on both webs together.
    autosave = f"/responses/{draft.pk}/questions/1/autosave/"
    json_accept = {"Accept": "application/json"}
    for version in range(AUTOSAVE_LIMIT):
        web = (web_a, web_b)[version % 2]
        data = {"base_version": version, "q1_comments": f"Save {version}"}
        status, _, body = one.request(web, "POST", autosave, data, headers=json_accept)
        assert status == 200 and b'"saved"' in body, body[:300]
    for web in (web_a, web_b):
        data = {"base_version": AUTOSAVE_LIMIT, "q1_comments": "One too many"}
        status, headers, _ = one.request(web, "POST", autosave, data, headers=json_accept)
        assert status == 429 and int(headers["retry-after"]) > 0
    # The colleague's own allowance is untouched.
    data = {"base_version": AUTOSAVE_LIMIT, "q1_comments": "The colleague's save"}
    status, _, body = other.request(web_b, "POST", autosave, data, headers=json_accept)
    assert status == 200 and b'"saved"' in body
