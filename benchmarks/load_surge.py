"""Deadline surge: ministry staff autosaving drafts while analysts open the comparison page.

A locust file, run headless by `benchmarks/load_surge.sh` (which seeds the database, starts gunicorn
and checks afterwards that no acknowledged save was lost). Run by hand:

    LOAD_PLAN=plan.json LOAD_LOG=saves.jsonl locust -f benchmarks/load_surge.py --headless \
        -u 270 -r 5 --run-time 5m --host http://127.0.0.1:8765

Every simulated user signs in through the login form first; once all have signed in (or after
LOAD_LOGIN_WAIT seconds) the surge starts for everyone at once:

- staff (the plan's accounts, one locust user each) open their question page, then change their own
  free-text field and autosave it exactly as static/js/response-form.js does: the whole form as
  multipart form data (with base_version, the version the page was built from), the CSRF header and
  `X-Requested-With: fetch`, one save 3 to 10 s after the previous one (the page saves 3 s after
  typing stops). Like the page, a "saved" or "merged" reply moves base_version on (a "merged" one
  also puts the colleague's values it carries in place), a "conflict" reply stops the page (the
  user reloads it and goes on), a 429 waits for Retry-After and sends the
  same text again, and the presence heartbeat goes out every 15 s (as static/js/response-form.js).
  Each save writes "<username> save #<n>", and every reply is logged to LOAD_LOG for the lost-save check;
- analysts GET the comparison page (reports:comparison) every 3 to 10 s.

The surge lasts LOAD_SURGE_SECONDS (180) from the moment everyone has signed in; the run stops
earlier after LOAD_MAX_REQUESTS requests (40000), and at --run-time whatever happens.
"""

import itertools
import json
import os
import random
import statistics
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import gevent
from gevent.event import Event
from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

PLAN = (
    json.loads(Path(os.environ["LOAD_PLAN"]).read_text(encoding="utf-8")) if "LOAD_PLAN" in os.environ else {}
)
PASSWORD = os.environ.get("LOAD_PASSWORD", "allied-load-2026")
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "40000"))
LOGIN_WAIT = float(os.environ.get("LOAD_LOGIN_WAIT", "240"))
SURGE_SECONDS = float(os.environ.get("LOAD_SURGE_SECONDS", "180"))
SAVE_EVERY = (float(os.environ.get("LOAD_SAVE_MIN", "3")), float(os.environ.get("LOAD_SAVE_MAX", "10")))
LOOK_EVERY = (float(os.environ.get("LOAD_LOOK_MIN", "3")), float(os.environ.get("LOAD_LOOK_MAX", "10")))
PRESENCE_EVERY = 15.0
RETRY_DELAY = 10.0  # the page retries a failed save after 10 s
TIMEOUT = float(os.environ.get("LOAD_TIMEOUT", "120"))
ARRIVAL_SECONDS = float(os.environ.get("LOAD_ARRIVAL_SECONDS", "30"))
# What the page's FormData becomes here: urlencoded, which Django reads as it reads multipart.
FORM_TYPE = "application/x-www-form-urlencoded"
LOGIN_URL = "/accounts/login/"
COMPARISON_URL = "/reports/compare/"


# -- the page's form, read as the browser's FormData reads it -----------------------------------------


class _FormReader(HTMLParser):
    """Collects the named controls of form#question-form in document order, with the conditional
    wrapper (data-show-when-*) each sits in, and the form's data-* attributes."""

    # Elements without an end tag (only the ones a Django page uses).
    VOID = frozenset(("br", "hr", "img", "input", "link", "meta", "source", "wbr"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.form_attrs: dict[str, str] | None = None
        self.controls: list[dict[str, Any]] = []
        self._select: dict[str, Any] | None = None
        self._option: dict[str, Any] | None = None
        self._textarea: dict[str, Any] | None = None

    def _in_form(self, attrs: dict[str, str]) -> bool:
        return attrs.get("form") == "question-form" or any(
            tag == "form" and a.get("id") == "question-form" for tag, a in self.stack
        )

    def _condition(self) -> tuple[str, list[str]] | None:
        for _tag, a in reversed(self.stack):
            if "data-show-when-field" in a:
                return a["data-show-when-field"], a.get("data-show-when-values", "").split(" ")
        return None

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: (v if v is not None else "") for k, v in attr_list}
        if tag == "form" and attrs.get("id") == "question-form":
            self.form_attrs = attrs
        if tag == "option" and self._select is not None:
            self._option = {"value": attrs.get("value"), "selected": "selected" in attrs, "text": ""}
            self._select["options"].append(self._option)
        elif self._in_form(attrs) and tag in ("input", "select", "textarea") and attrs.get("name"):
            control = {
                "tag": tag,
                "type": attrs.get("type", "text").lower(),
                "name": attrs["name"],
                "value": attrs.get("value", "on" if attrs.get("type") in ("checkbox", "radio") else ""),
                "checked": "checked" in attrs,
                "disabled": "disabled" in attrs,
                "multiple": "multiple" in attrs,
                "condition": self._condition(),
                "options": [],
            }
            self.controls.append(control)
            if tag == "select":
                self._select = control
            elif tag == "textarea":
                control["value"] = ""
                self._textarea = control
        if tag not in self.VOID:
            self.stack.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea" and self._textarea is not None:
            # The HTML parser drops the newline right after <textarea> (Django writes one there).
            text = self._textarea["value"]
            self._textarea["value"] = text[2:] if text.startswith("\r\n") else text.removeprefix("\n")
            self._textarea = None
        if tag in self.VOID:
            return
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option["text"] += data
        elif self._textarea is not None:
            self._textarea["value"] += data


class QuestionPage:
    """The question page as the script sees it: the form's controls and the URLs it posts to."""

    def __init__(self, html: str):
        reader = _FormReader()
        reader.feed(html)
        reader.close()
        if reader.form_attrs is None:
            raise ValueError("no form#question-form on the page")
        self.attrs = reader.form_attrs
        self.controls = reader.controls
        self.autosave_url = self.attrs.get("data-autosave-url")
        self.presence_url = self.attrs.get("data-presence-url")
        self.question = self.attrs.get("data-question", "")
        self.read_only = self.attrs.get("data-read-only") == "true"

    def value(self, name: str) -> str | None:
        return next((c["value"] for c in self.controls if c["name"] == name), None)

    def set(self, name: str, value: str) -> None:
        for control in self.controls:
            if control["name"] == name:
                control["value"] = value

    def put(self, name: str, value: Any) -> None:
        """What the page's script does with a "merged" reply's field: the input named `name`
        now holds `value` (a list for several choices)."""
        values = (
            [str(v) for v in value]
            if isinstance(value, list)
            else ([] if value in ("", None) else [str(value)])
        )
        for control in self.controls:
            if control["name"] != name:
                continue
            if control["type"] in ("radio", "checkbox"):
                control["checked"] = control["value"] in values
            elif control["tag"] == "select":
                for option in control["options"]:
                    option["selected"] = (
                        option["value"] if option["value"] is not None else option["text"]
                    ) in values
            else:
                control["value"] = values[0] if values else ""

    def _entries(self, control: dict[str, Any]) -> list[str]:
        if control["tag"] == "select":
            chosen = [o for o in control["options"] if o["selected"]]
            if not chosen and not control["multiple"] and control["options"]:
                chosen = control["options"][:1]
            return [o["value"] if o["value"] is not None else o["text"] for o in chosen]
        if control["type"] in ("radio", "checkbox"):
            return [control["value"]] if control["checked"] else []
        if control["type"] in ("submit", "button", "reset", "image", "file"):
            return []
        return [control["value"]]

    def form_data(self) -> list[tuple[str, str]]:
        """new FormData(form) after the page's script ran: a control in a conditional wrapper whose
        condition does not hold is disabled (applyConditions), and so not sent."""
        chosen: dict[str, list[str]] = {}
        for control in self.controls:
            values = self._entries(control)
            if control["type"] in ("radio", "checkbox"):
                chosen.setdefault(control["name"], []).extend(values)
            else:
                chosen.setdefault(control["name"], []).extend(v for v in values if v)
        entries = []
        for control in self.controls:
            condition = control["condition"]
            disabled = control["disabled"] or self.read_only
            if condition is not None:
                field, wanted = condition
                disabled = disabled or not any(v in wanted for v in chosen.get(field, []))
            if not disabled:
                entries.extend((control["name"], v) for v in self._entries(control))
        return entries


def _retry_after(header: str | None) -> float:
    try:
        return min(max(float(header or ""), 0.0), 300.0)
    except ValueError:
        return RETRY_DELAY


def _csrf_from(html: str) -> str | None:
    marker = 'name="csrfmiddlewaretoken" value="'
    start = html.find(marker)
    if start == -1:
        return None
    start += len(marker)
    return html[start : html.index('"', start)]


# -- shared state: accounts, the sign-in barrier, counters, the save log ------------------------------

_staff = iter(PLAN.get("staff", []))
_analysts = iter(PLAN.get("analysts", []))
_signed_in = itertools.count(1)
_all_signed_in = Event()
_log_file = None
_env_holder: dict[str, Any] = {}  # the locust Environment, once it exists
state: dict[str, Any] = {
    "requests": 0,
    "stopping": False,
    "surge_started": None,
    "surge_ended": None,
    "signed_in": 0,
    "sign_in_failures": 0,
    "statuses": {},
    "samples": {},
    "reload_mismatch": 0,
    "stopped_by_request_bound": False,
}


def _expected_users() -> int:
    return len(PLAN.get("staff", [])) + len(PLAN.get("analysts", []))


def _signed_in_one(ok: bool) -> None:
    state["signed_in"] = next(_signed_in)
    if not ok:
        state["sign_in_failures"] += 1
    if state["signed_in"] >= _expected_users():
        _release_surge()


def _release_surge() -> None:
    if not _all_signed_in.is_set():
        state["surge_started"] = time.time()
        _all_signed_in.set()
        gevent.spawn_later(SURGE_SECONDS, _stop, f"surge ran {SURGE_SECONDS:.0f} s")
        print(
            f"surge starts: {state['signed_in']} users signed in ({state['sign_in_failures']} failed)",
            flush=True,
        )


def _log(event: dict[str, Any]) -> None:
    state["statuses"][event["status"]] = state["statuses"].get(event["status"], 0) + 1
    if _log_file is not None:
        _log_file.write(json.dumps(event) + "\n")


@events.init.add_listener
def _on_init(environment: Any, **_kwargs: Any) -> None:
    global _log_file
    _env_holder["env"] = environment
    if os.environ.get("LOAD_LOG"):
        _log_file = open(os.environ["LOAD_LOG"], "a", encoding="utf-8", buffering=1)  # noqa: SIM115

    def release_late() -> None:
        if not _all_signed_in.wait(LOGIN_WAIT):
            print(f"surge starts after {LOGIN_WAIT:.0f} s without every sign-in", flush=True)
            _release_surge()

    gevent.spawn(release_late)


@events.request.add_listener
def _on_request(name: str, response_time: float, exception: Any, **_kwargs: Any) -> None:
    state["requests"] += 1
    if state["surge_started"] is not None and not state["stopping"]:
        state["samples"].setdefault(name, []).append((response_time, exception is None))
    if state["requests"] >= MAX_REQUESTS and not state["stopping"]:
        state["stopped_by_request_bound"] = True
        _stop(f"request bound reached ({MAX_REQUESTS} requests)")


def _stop(reason: str) -> None:
    if state["stopping"]:
        return
    state["stopping"] = True
    state["surge_ended"] = time.time()
    print(f"stopping: {reason}", flush=True)
    runner = _env_holder["env"].runner if "env" in _env_holder else None
    if runner is not None:
        gevent.spawn(runner.quit)


@events.test_stop.add_listener
def _on_test_stop(**_kwargs: Any) -> None:
    state["surge_ended"] = state["surge_ended"] or time.time()


# -- the users --------------------------------------------------------------------------------------


class _SignedInUser(FastHttpUser):
    """geventhttpclient (FastHttpUser), not requests: the load generator shares the two cores with
    the server, and costs several times less CPU a request this way."""

    abstract = True
    username = ""
    network_timeout = TIMEOUT
    connection_timeout = TIMEOUT

    def _cookies(self) -> dict[str, str]:
        return {cookie.name: cookie.value for cookie in self.client.cookiejar}

    def sign_in(self) -> bool:
        headers = {"Referer": f"{self.host}{LOGIN_URL}"}
        ok = False
        with self.client.get(LOGIN_URL, name="login page", catch_response=True) as page:
            token = _csrf_from(page.text) if page.status_code == 200 else None
            if token is None:
                page.failure(f"login page: HTTP {page.status_code}, no CSRF token")
        if token is not None:
            data = {"csrfmiddlewaretoken": token, "username": self.username, "password": PASSWORD, "next": ""}
            with self.client.post(
                LOGIN_URL,
                data=data,
                headers=headers,
                name="login",
                catch_response=True,
                allow_redirects=False,
            ) as reply:
                # FastHttpUser reports the request's URL, not a redirect's: read the redirect.
                path = reply.headers.get("Location", "") or ""
                if reply.status_code != 302:
                    reply.failure(f"login: HTTP {reply.status_code} (wrong password, locked out?)")
                elif "sessionid" not in self._cookies() or LOGIN_URL in path:
                    reply.failure("login: not signed in (wrong password, locked out or a second step?)")
                elif ("two" in path and "factor" in path) or "otp" in path or "verify" in path:
                    reply.failure(
                        f"login: a second sign-in step appeared at {path}: set TWO_FACTOR_REQUIRED=false"
                    )
                else:
                    reply.success()
                    ok = True
        _signed_in_one(ok)
        _all_signed_in.wait()
        return ok


class StaffUser(_SignedInUser):
    """One ministry staff member typing into one free-text field of the country's draft."""

    fixed_count = len(PLAN.get("staff", []))
    next_wait: float | None = None  # set by a 429 or a failed save: the page waits this long instead

    def wait_time(self) -> float:
        if self.next_wait is not None:
            wait, self.next_wait = self.next_wait, None
            return wait
        return random.uniform(*SAVE_EVERY)  # noqa: S311 - pacing, not security

    def on_start(self) -> None:
        account = next(_staff, None)
        if account is None:
            self.page = None
            self.stop(force=True)
            return
        self.account = account
        self.username = account["username"]
        self.field = account["field"]
        self.question_url = f"/responses/{account['response']}/questions/{account['question']}/"
        self.counter = 0
        self.page: QuestionPage | None = None
        self.pending: str | None = None  # text typed but not saved yet (a 429 or a failure)
        self.last_acked: str | None = None
        self.last_presence = 0.0
        self.signed_in = self.sign_in()
        # People come back to their pages over ARRIVAL_SECONDS, not in the same instant: with
        # every page opened within 3 s, 250 page loads queued at once (the accept queue reached
        # 260 for 12 s) and that herd, not the surge, made the latency tails.
        gevent.sleep(random.uniform(0, ARRIVAL_SECONDS))  # noqa: S311 - pacing, not security
        if self.signed_in:
            self.open_page()

    def open_page(self, *, expect: str | None = None) -> None:
        with self.client.get(self.question_url, name="question page", catch_response=True) as reply:
            if reply.status_code != 200 or LOGIN_URL in (reply.url or ""):
                reply.failure(f"question page: HTTP {reply.status_code} at {reply.url}")
                self.page = None
                return
            try:
                page = QuestionPage(reply.text)
            except ValueError as exc:
                reply.failure(str(exc))
                self.page = None
                return
            if page.read_only or not page.autosave_url:
                reply.failure("question page is read-only: the draft cannot be edited")
                self.page = None
                return
            if page.value(self.field) is None:
                reply.failure(f"no field {self.field} on {self.question_url}")
                self.page = None
                return
        self.page = page
        self.csrf = page.value("csrfmiddlewaretoken") or self._cookies().get("csrftoken", "")
        held = page.value(self.field)
        if expect is not None and held != expect:
            state["reload_mismatch"] += 1
        self.heartbeat()

    def heartbeat(self) -> None:
        if self.page is None or not self.page.presence_url:
            return
        self.last_presence = time.monotonic()
        self.client.post(
            self.page.presence_url,
            data=urlencode([("question", self.page.question)]),
            headers={
                "X-CSRFToken": self.csrf,
                "Referer": f"{self.host}{self.question_url}",
                "Content-Type": FORM_TYPE,
            },
            name="presence",
        )

    @task
    def type_and_autosave(self) -> None:
        if not self.signed_in or state["stopping"]:
            return
        if self.page is None:
            self.open_page()
            return
        if time.monotonic() - self.last_presence >= PRESENCE_EVERY:
            self.heartbeat()
        if self.pending is None:
            self.counter += 1
            self.pending = f"{self.username} save #{self.counter} (load test)"
        text = self.pending
        self.page.set(self.field, text)
        # As the page's script does: typing an answer replaces a declared non-answer of the field.
        self.page.put(self.field + "__declared", "")
        self.page.set(self.field + "__declared_reason", "")
        base = int(self.page.value("base_version") or 0)
        body = urlencode(self.page.form_data())
        headers = {
            "X-CSRFToken": self.csrf,
            "X-Requested-With": "fetch",
            "Accept": "application/json",
            "Origin": self.host,
            "Referer": f"{self.host}{self.question_url}",
            "Content-Type": FORM_TYPE,
        }
        event: dict[str, Any] = {
            "t": time.time(),
            "user": self.username,
            "response": self.account["response"],
            "field": self.field,
            "value": text,
            "base": base,
        }
        with self.client.post(
            self.page.autosave_url,
            data=body,
            headers=headers,
            name="autosave",
            catch_response=True,
            allow_redirects=False,
        ) as reply:
            data: dict[str, Any] = {}
            if "application/json" in reply.headers.get("Content-Type", ""):
                try:
                    data = reply.json()
                except ValueError:
                    data = {}
            status = data.get("status")
            if reply.status_code == 429:
                reply.request_meta["name"] = "autosave [429]"
                reply.success()
                event["status"] = "429"
                _log(event)
                # The page keeps the text and saves it again once Retry-After has passed.
                self.next_wait = _retry_after(reply.headers.get("Retry-After"))
                return
            if reply.status_code == 200 and status in ("saved", "merged"):
                reply.success()
                event.update(status=status, version=data["version"], created=data.get("created", True))
                _log(event)
                self.pending = None
                self.last_acked = text
                self.page.set("base_version", str(data["version"]))
                if status == "merged":
                    # The page puts the colleague's values in place and goes on autosaving.
                    for name, value in (data.get("fields") or {}).items():
                        self.page.put(name, value)
                return
            if reply.status_code == 409 and status == "conflict":
                reply.success()
                event["status"] = "conflict"
                _log(event)
                # The page stops and asks to save the page to compare; this user reloads instead and
                # types again (what was not saved is not counted as saved).
                self.pending = None
                self.open_page()
                return
            if reply.status_code == 409 and status == "refused":
                reply.failure(f"refused: {data.get('message')}")
                event["status"] = "refused"
                _log(event)
                self.signed_in = False
                return
            if reply.status_code == 422:
                reply.failure(f"invalid: {data.get('message')} {data.get('errors', '')}"[:300])
                event["status"] = "invalid"
                _log(event)
                self.pending = None
                self.open_page()
                return
            if reply.status_code in (301, 302) or (reply.status_code == 200 and not data):
                reply.failure(f"not JSON (session expired?): HTTP {reply.status_code}")
            elif reply.status_code == 0:
                reply.failure(f"no reply: {getattr(reply, 'error', None)!r}"[:300])
            else:
                reply.failure(f"HTTP {reply.status_code}")
            event["status"] = "error"
            event["http"] = reply.status_code
            _log(event)
            # The page keeps the text and saves it again after Retry-After (a 5xx may send one) or 10 s.
            self.next_wait = _retry_after(reply.headers.get("Retry-After"))


class AnalystUser(_SignedInUser):
    """An analyst reloading the comparison page of the current round."""

    fixed_count = len(PLAN.get("analysts", []))
    wait_time = between(*LOOK_EVERY)

    def on_start(self) -> None:
        self.username = next(_analysts, "")
        self.signed_in = bool(self.username) and self.sign_in()

    @task
    def compare(self) -> None:
        if not self.signed_in or state["stopping"]:
            return
        with self.client.get(COMPARISON_URL, name="comparison", catch_response=True) as reply:
            if reply.status_code != 200 or LOGIN_URL in (reply.url or ""):
                reply.failure(f"comparison: HTTP {reply.status_code} at {reply.url}")


# -- the summary --------------------------------------------------------------------------------------


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


@events.quitting.add_listener
def _on_quitting(environment: Any, **_kwargs: Any) -> None:
    state["surge_ended"] = state["surge_ended"] or time.time()
    started = state["surge_started"]
    surge_seconds = (state["surge_ended"] - started) if started else 0.0
    stats = environment.stats
    rows = []
    for (name, method), entry in sorted(stats.entries.items()):
        samples = state["samples"].get(name, [])
        times = [t for t, _ok in samples]
        rows.append(
            {
                "name": name,
                "method": method,
                "requests": entry.num_requests,
                "failures": entry.num_failures,
                "surge_requests": len(samples),
                "surge_rps": len(samples) / surge_seconds if surge_seconds else 0.0,
                "p50_ms": _percentile(times, 0.50),
                "p95_ms": _percentile(times, 0.95),
                "p99_ms": _percentile(times, 0.99),
                "max_ms": max(times) if times else 0.0,
                "mean_ms": statistics.fmean(times) if times else 0.0,
            }
        )
    all_times = [t for samples in state["samples"].values() for t, _ok in samples]
    surge_count = len(all_times)
    summary = {
        "surge_seconds": round(surge_seconds, 1),
        "requests_total": stats.total.num_requests,
        "failures_total": stats.total.num_failures,
        "surge_requests": surge_count,
        "surge_rps": surge_count / surge_seconds if surge_seconds else 0.0,
        "surge_p50_ms": _percentile(all_times, 0.50),
        "surge_p95_ms": _percentile(all_times, 0.95),
        "surge_p99_ms": _percentile(all_times, 0.99),
        "signed_in": state["signed_in"],
        "sign_in_failures": state["sign_in_failures"],
        "autosave_replies": state["statuses"],
        "reload_mismatch": state["reload_mismatch"],
        "stopped_by_request_bound": state["stopped_by_request_bound"],
        "errors": {f"{e.method} {e.name}: {e.error}": e.occurrences for e in stats.errors.values()},
        "endpoints": rows,
    }
    if os.environ.get("LOAD_SUMMARY"):
        Path(os.environ["LOAD_SUMMARY"]).write_text(json.dumps(summary, indent=1), encoding="utf-8")
    if _log_file is not None:
        _log_file.flush()
