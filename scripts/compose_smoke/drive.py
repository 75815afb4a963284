"""Drives the stack that run.sh started, over plain HTTP as a browser would: the probes, a demo
analyst's first sign-in (password, then enrolling an authenticator: the production settings
require a second factor), a report in every format requested through web and built by the
worker, each file downloaded and checked, and the same download refused to a stranger.

Runs on the host with the project's virtual environment (openpyxl, django_otp's TOTP); exits
non-zero with the step that failed.
"""

import argparse
import csv
import io
import json
import re
import sys
import time
import uuid
import zipfile
from base64 import b32decode
from http.cookiejar import CookieJar
from urllib.error import HTTPError
from urllib.parse import urlencode, urljoin
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

import openpyxl
from django_otp.oath import TOTP

REPORT_TIMEOUT_S = 180


class Failed(Exception):
    pass


class NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies, CSRF tokens from the forms, and redirects followed (or not, to see them)."""

    def __init__(self, base_url: str) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise Failed(f"{base_url} is not an http(s) address")
        self.base_url = base_url
        self.jar = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.jar))
        self.stopping_opener = build_opener(HTTPCookieProcessor(self.jar), NoRedirect)

    def get(self, path: str, *, follow: bool = True, headers=None) -> tuple[int, dict[str, str], bytes, str]:
        request = Request(urljoin(self.base_url, path), headers=headers or {})  # noqa: S310 (http(s) only: __init__)
        return self._send(request, follow)

    def post_form(self, path: str, page: str, fields: dict | list, *, follow: bool = True, headers=None):
        token = csrf_token(page)
        pairs = list(fields.items()) if isinstance(fields, dict) else list(fields)
        body = urlencode([("csrfmiddlewaretoken", token), *pairs]).encode()
        request = Request(urljoin(self.base_url, path), data=body, method="POST")  # noqa: S310 (as get)
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        return self._send(request, follow)

    def _send(self, request: Request, follow: bool):
        opener = self.opener if follow else self.stopping_opener
        try:
            with opener.open(request, timeout=30) as reply:
                return reply.status, dict(reply.headers), reply.read(), reply.url
        except HTTPError as error:
            return error.code, dict(error.headers), error.read(), request.full_url


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not match:
        raise Failed("the page has no form with a CSRF token")
    return match.group(1)


def check(condition: bool, what: str) -> None:
    if not condition:
        raise Failed(what)
    print(f"  ok  {what}")


def probes(base_url: str) -> None:
    browser = Browser(base_url)
    for path, word in (("/healthz", b"ok"), ("/readyz", b"ready")):
        status, _headers, body, _url = browser.get(path)
        check(status == 200 and body.strip() == word, f"{path} answers {word.decode()!r}")


def sign_in_with_second_factor(base_url: str, username: str, password: str) -> Browser:
    browser = Browser(base_url)
    status, _h, body, _url = browser.get("/accounts/login/")
    check(status == 200, "the sign-in page answers")
    status, _h, body, url = browser.post_form(
        "/accounts/login/", body.decode(), {"username": username, "password": password}
    )
    page = body.decode()
    check("/accounts/two-factor/setup/" in url, f"{username}'s password is accepted and leads to enrolment")
    secret = re.search(r'data-testid="totp-secret">([^<]+)<', page)
    check(secret is not None, "the enrolment page shows the key to type by hand")
    key = b32decode(secret.group(1).replace(" ", ""))
    code = f"{TOTP(key).token():06d}"
    status, _h, body, url = browser.post_form("/accounts/two-factor/setup/", page, {"code": code})
    check(
        status == 200 and "backup" in body.decode().lower(),
        "the authenticator's code enrols it (backup codes shown)",
    )
    status, _h, body, url = browser.get("/reports/new/")
    check(
        status == 200 and url.endswith("/reports/new/"), "signed in with both factors: the report form opens"
    )
    return browser


def report_in_every_format(browser: Browser, request_id: str) -> tuple[int, dict[str, bytes]]:
    status, _h, body, _url = browser.get("/reports/new/")
    page = body.decode()
    formats = sorted(set(re.findall(r'name="formats" value="([a-z]+)"', page)))
    check(formats == ["csv", "html", "pdf", "xlsx"], f"the form offers every format ({', '.join(formats)})")
    fields = [("formats", f) for f in formats] + [("language", "en")]
    # The request's id, as a proxy would set it: run.sh finds it in the worker's log lines.
    traced = {"X-Request-ID": request_id}
    status, _h, body, url = browser.post_form("/reports/new/", page, fields, headers=traced)
    match = re.search(r"/reports/(\d+)/$", url)
    check(status == 200 and match is not None, "the report is requested through web")
    pk = int(match.group(1))

    deadline = time.monotonic() + REPORT_TIMEOUT_S
    while True:
        status, _h, body, _url = browser.get(f"/reports/{pk}/status/")
        state = json.loads(body)
        if state["finished"] or time.monotonic() > deadline:
            break
        time.sleep(1)
    check(
        state["status"] == "done",
        f"the worker built it (status {state['status']!r}, error {state['error']!r})",
    )

    files = {}
    for fmt in formats:
        status, headers, content, _url = browser.get(f"/reports/{pk}/download/{fmt}/")
        disposition = headers.get("Content-Disposition", "")
        check(status == 200 and disposition.startswith("attachment"), f"{fmt} downloads as an attachment")
        files[fmt] = content
    return pk, files


def check_files(files: dict[str, bytes], country: str) -> None:
    html = files["html"].decode()
    check("<html" in html.lower() and country in html, f"the HTML report names {country}")
    check(
        files["pdf"].startswith(b"%PDF-") and b"%%EOF" in files["pdf"][-1024:], "the PDF is a whole PDF file"
    )
    workbook = openpyxl.load_workbook(io.BytesIO(files["xlsx"]), read_only=True)
    cells = {
        str(c) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for c in row
    }
    check(country in cells, f"the XLSX workbook opens and holds {country}")
    with zipfile.ZipFile(io.BytesIO(files["xlsx"])) as archive:
        check(archive.testzip() is None, "the XLSX archive is intact")
    rows = list(csv.reader(io.StringIO(files["csv"].decode("utf-8-sig"))))
    check(len(rows) > 1 and any(country in row for row in rows), f"the CSV parses and holds {country}")


def request_id_is_echoed(browser: Browser, request_id: str) -> None:
    _status, headers, _body, _url = browser.get("/reports/", headers={"X-Request-ID": request_id})
    check(headers.get("X-Request-ID") == request_id, "a proxy's request id comes back in the response")


def metrics_figures(base_url: str, token: str) -> None:
    browser = Browser(base_url)
    status, _h, _body, _url = browser.get("/metrics")
    check(status == 404, "/metrics is refused from outside the container without the token")
    status, _h, body, _url = browser.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    text = body.decode()
    opened = status == 200 and "django_http_requests_total_by_method_total" in text
    check(opened, "/metrics opens with the token")
    check("celery_broker_up 1.0" in text, "/metrics reads the broker")
    built = re.search(r'celery_tasks_succeeded_total\{task="reports.build_report"\} ([0-9.]+)', text)
    counted = built is not None and float(built.group(1)) >= 1
    check(counted, "/metrics on web counts the report the worker built")


def stranger_is_refused(base_url: str, pk: int) -> None:
    status, headers, _body, _url = Browser(base_url).get(f"/reports/{pk}/download/pdf/", follow=False)
    check(
        status == 302 and "/accounts/login/" in headers.get("Location", ""),
        "a stranger's download goes to sign-in",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--country", default="France", help="a country the demo data submits for")
    parser.add_argument("--metrics-token", required=True)
    parser.add_argument("--request-id-file", required=True, help="where to write the report request's id")
    args = parser.parse_args()
    request_id = uuid.uuid4().hex
    with open(args.request_id_file, "w") as out:
        out.write(request_id)
    try:
        probes(args.base_url)
        analyst = sign_in_with_second_factor(args.base_url, "analyst", args.password)
        request_id_is_echoed(analyst, uuid.uuid4().hex)
        pk, files = report_in_every_format(analyst, request_id)
        check_files(files, args.country)
        stranger_is_refused(args.base_url, pk)
        metrics_figures(args.base_url, args.metrics_token)
    except Failed as failure:
        print(f"compose-smoke: FAILED: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
