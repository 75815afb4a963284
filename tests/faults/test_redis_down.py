"""Redis down (broker, result store and cache all gone): staff keep working, and a report
request is kept and said to wait, never a 500 page."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from config.celery import app as celery_app
from reports.models import Report
from reports.services import report_build, reports_sweep
from tests.responses.factories import COMPLETE, MembershipFactory, submit

DEAD_REDIS = "redis://127.0.0.1:9/0"  # nothing listens on the discard port


def point_celery_at(url: str) -> None:
    """Makes the next publish connect afresh to `url`: Celery caches both its connection pool
    and its producer pool, which would otherwise keep talking to the live Redis."""
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def redis_down(settings):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: there is no Redis to lose (CI sets it)")
    original = celery_app.conf.broker_url
    point_celery_at(DEAD_REDIS)
    settings.CACHES = {"default": {"BACKEND": "core.cache.RedisCache", "LOCATION": DEAD_REDIS}}
    yield
    point_celery_at(original)


@pytest.mark.django_db(transaction=True)
def test_staff_work_and_reports_wait_while_redis_is_down(us_round, redis_down):
    from responses.models import Country

    france = Country.objects.get(code="FR")
    spain = Country.objects.get(code="ES")
    submit(us_round, [spain], COMPLETE)
    drafter = Client(raise_request_exception=False)
    drafter.force_login(MembershipFactory(country=france, role="drafter").user)

    drafter.post(reverse("responses:country", args=["fr"]))
    response = us_round.responses.get(author_links__country=france)
    page = drafter.get(reverse("responses:question", args=[response.pk, 1]))
    saved = drafter.post(
        reverse("responses:autosave", args=[response.pk, 1]),
        {"base_version": 0, "q1_comments": "Still working"},
    )
    presence = drafter.post(reverse("responses:presence", args=[response.pk]), {"question": "1"})

    assert page.status_code == 200
    assert saved.status_code == 200 and saved.json()["status"] == "saved"
    assert presence.status_code == 200 and presence.json() == {"others": []}

    from tests.accounts.factories import AnalystFactory

    analyst = Client(raise_request_exception=False)
    analyst.force_login(AnalystFactory())
    requested = analyst.post(reverse("reports:new"), {"formats": ["csv"]}, follow=True)
    assert requested.status_code == 200
    assert "The report service is unavailable" in requested.content.decode()
    report = Report.objects.get()
    assert report.status == Report.Status.QUEUED

    # Redis is back: the sweep hands the waiting report to the broker, and a worker builds it.
    point_celery_at(settings.REDIS_URL)
    assert reports_sweep()["requeued"] == 0  # too recent: the sweep re-enqueues after two minutes
    assert report_build(report_id=report.pk).status == Report.Status.DONE  # what the worker runs
