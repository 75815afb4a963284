"""Every URL of the reports namespace x every role x GET and POST, generated from the resolver:
a new URL without an expectation here fails the suite."""

import pytest
from django.db import transaction
from django.urls import get_resolver, reverse

from audit.models import AuditEvent
from reports.models import Report
from reports.services import report_build
from responses.models import Country
from tests.responses.factories import MembershipFactory

pytestmark = pytest.mark.django_db

ROLES = ("drafter", "viewer", "analyst", "coordinator", "anonymous")


def row(drafter, viewer, analyst, coordinator, anonymous=302):
    return dict(zip(ROLES, (drafter, viewer, analyst, coordinator, anonymous), strict=True))


# Read-only pages for analysts and coordinators (GET only).
READER_PAGES = (
    "comparison",
    "troops",
    "us_support",
    "stationing",
    "agreement",
    "sanctions",
    "changes",
    "list",
)
READERS_GET = row(403, 403, 200, 200)
READERS_POST = row(403, 403, 405, 405)
EXPECTED = {
    **{(name, "GET"): READERS_GET for name in (*READER_PAGES, "new")},
    **{(name, "POST"): READERS_POST for name in READER_PAGES},
    ("new", "POST"): row(403, 403, 302, 302),
    ("status", "GET"): row(403, 403, 403, 200),
    ("status", "POST"): row(405, 405, 405, 405),
    ("detail", "GET"): row(404, 404, 200, 200),
    ("detail", "POST"): row(405, 405, 405, 405),
    ("status_json", "GET"): row(404, 404, 200, 200),
    ("status_json", "POST"): row(405, 405, 405, 405),
    ("retry", "GET"): row(405, 405, 405, 405),
    ("retry", "POST"): row(404, 404, 302, 302),
    ("rebuild", "GET"): row(405, 405, 405, 405),
    ("rebuild", "POST"): row(404, 404, 302, 302),
    ("in_language", "GET"): row(405, 405, 405, 405),
    ("in_language", "POST"): row(404, 404, 302, 302),
    ("download", "GET"): row(404, 404, 200, 200),
    ("download", "POST"): row(405, 405, 405, 405),
}


def patterns() -> list:
    _, namespace = get_resolver().namespace_dict["reports"]
    return namespace.url_patterns


def names() -> list[str]:
    return [p.name for p in patterns()]


@pytest.fixture
def people(world):
    france = Country.objects.get(code="FR")
    return {
        "drafter": MembershipFactory(country=france, role="drafter").user,
        "viewer": MembershipFactory(country=france, role="viewer").user,
        "analyst": world["analyst"],
        "coordinator": world["coordinator"],
        "anonymous": None,
    }


@pytest.fixture
def built(world):
    report = Report.objects.create(round=world["round"], requested_by=world["analyst"], formats=["csv"])
    return report_build(report_id=report.pk)


def test_every_reports_url_has_expectations():
    missing = [(n, m) for n in names() for m in ("GET", "POST") if (n, m) not in EXPECTED]
    assert missing == []
    assert [key for key in EXPECTED if key[0] not in names()] == []


def test_permission_matrix(client, people, built):
    values = {"pk": built.pk, "fmt": "csv"}
    mismatches = []
    for pattern in patterns():
        url = reverse(f"reports:{pattern.name}", kwargs={k: values[k] for k in pattern.pattern.converters})
        for method in ("GET", "POST"):
            for role in ROLES:
                with transaction.atomic():
                    client.logout()
                    if people[role] is not None:
                        client.force_login(people[role])
                    data = {"formats": ["csv"]} if pattern.name == "new" else {}
                    got = (client.get(url) if method == "GET" else client.post(url, data)).status_code
                    transaction.set_rollback(True)
                expected = EXPECTED[(pattern.name, method)][role]
                if got != expected:
                    mismatches.append(f"{method} {pattern.name} as {role}: expected {expected}, got {got}")
    assert mismatches == []


def test_a_download_is_audited(client, world, built):
    client.force_login(world["analyst"])

    client.get(reverse("reports:download", args=[built.pk, "csv"]))

    event = AuditEvent.objects.get(action="report.download")
    assert event.user == world["analyst"] and event.detail == {"report_id": built.pk, "format": "csv"}


def test_report_requests_and_downloads_are_rate_limited(client, world, built, settings):
    settings.REPORT_REQUESTS_PER_WINDOW = 2
    settings.DOWNLOADS_PER_WINDOW = 3
    client.force_login(world["analyst"])  # `built` already counts as one request

    accepted = client.post(reverse("reports:new"), {"formats": ["csv"]})
    refused = client.post(reverse("reports:new"), {"formats": ["csv"]})

    assert accepted.status_code == 302
    assert refused.status_code == 200 and "please wait before the next" in refused.content.decode()
    codes = [client.get(reverse("reports:download", args=[built.pk, "csv"])).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
