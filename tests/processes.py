"""Real processes for the tests that need them (a Celery worker on the test database and Redis),
and a browser that talks to web processes over plain HTTP."""

import os
import re
import subprocess
import sys
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection

from tests.accounts.factories import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[1]


def start_worker_process() -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


class Browser:
    """One person's browser over plain HTTP to real web processes: its cookies (the session) go
    to whichever port it talks to, as behind a balancer, and each page's CSRF token is kept for
    the next POST."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        self.csrf_token = ""

    def request(
        self, port: int, method: str, path: str, data: dict | list | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        body = None
        if data is not None:
            body = urlencode(data)
            sent |= {"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": self.csrf_token}
        http = HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            http.request(method, path, body=body, headers=sent)
            reply = http.getresponse()
            content = reply.read()
        finally:
            http.close()
        for header in reply.headers.get_all("Set-Cookie") or []:
            self.cookies |= {name: morsel.value for name, morsel in SimpleCookie(header).items()}
        if token := re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content):
            self.csrf_token = token.group(1).decode()
        return reply.status, {k.lower(): v for k, v in reply.headers.items()}, content

    def sign_in(self, port: int, username: str) -> None:
        assert self.request(port, "GET", "/accounts/login/")[0] == 200
        status, headers, _ = self.request(
            port, "POST", "/accounts/login/", {"username": username, "password": TEST_PASSWORD}
        )
        assert status == 302 and "/accounts/login/" not in headers["location"], "the sign-in was refused"
