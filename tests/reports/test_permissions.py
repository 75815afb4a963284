"""Every URL of the reports namespace x every role x GET and POST, generated from the resolver:
a new URL without an expectation here fails the suite."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from reports.models import Report
from reports.services import report_build
from responses.models import Country
from tests.matrix import matrix_mismatches, unlisted
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
    assert unlisted("reports", EXPECTED) == []


def test_permission_matrix(client, people, built):
    values = {"pk": built.pk, "fmt": "csv"}
    mismatches = matrix_mismatches(
        client,
        "reports",
        lambda name, method, role: EXPECTED[(name, method)][role],
        {role: people[role] for role in ROLES},
        lambda name, converters: {key: values[key] for key in converters},
        data_for=lambda name: {"formats": ["csv"]} if name == "new" else {},
    )
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
