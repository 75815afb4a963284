"""/metrics: Prometheus figures for an allowed network or a token holder only, answered under
the production rules (no https redirect, any Host), with the Celery queue and task outcomes read
from the real broker and counted by a real worker."""

import pytest
from django.conf import settings
from django.test import override_settings
from prometheus_client.parser import text_string_to_metric_families

from config.celery import app as celery_app
from questionnaire.tasks import load_definition
from tests.conftest import US_DEFINITION
from tests.processes import start_worker_process

OUTSIDE = "203.0.113.7"


def figures(body: bytes) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }


def figure(body: bytes, name: str, **labels: str) -> float:
    return figures(body).get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.mark.django_db
def test_loopback_reads_the_request_figures_under_the_production_rules(client):
    client.get("/accounts/login/")
    with override_settings(SECURE_SSL_REDIRECT=True, ALLOWED_HOSTS=["responses.example.org"]):
        answer = client.get("/metrics", HTTP_HOST="web:8000")

    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/plain")
    assert answer["Cache-Control"] == "no-store"
    assert figure(answer.content, "django_http_requests_total_by_method_total", method="GET") >= 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "where",
    [
        {"REMOTE_ADDR": OUTSIDE},
        # A proxy on the same machine: the address is loopback, the person is not.
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": OUTSIDE},
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_FORWARDED": f"for={OUTSIDE}"},
    ],
)
def test_anyone_else_gets_the_ordinary_not_found_page(client, where):
    answer = client.get("/metrics", **where)
    assert answer.status_code == 404
    assert b"django_http" not in answer.content


@pytest.mark.django_db
@override_settings(METRICS_TOKEN="a-long-scrape-token", METRICS_ALLOWED_NETWORKS=[])
def test_a_token_opens_it_from_anywhere_and_only_the_right_one(client):
    allowed = client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer a-long-scrape-token")
    wrong = client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer a-long-scrape-tokeN")
    none = client.get("/metrics", REMOTE_ADDR="127.0.0.1")

    assert allowed.status_code == 200 and b"django_http" in allowed.content
    assert wrong.status_code == 404 and none.status_code == 404


@pytest.mark.django_db
def test_an_allowed_network_is_configurable(client):
    with override_settings(METRICS_ALLOWED_NETWORKS=["203.0.113.0/24"]):
        assert client.get("/metrics", REMOTE_ADDR=OUTSIDE).status_code == 200
        assert client.get("/metrics", REMOTE_ADDR="198.51.100.1").status_code == 404


def test_it_takes_no_post(client):
    assert client.post("/metrics").status_code == 405


@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_the_queue_and_task_outcomes_come_from_the_broker_and_the_worker(client):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: no broker (CI sets it)")
    assert not celery_app.conf.task_always_eager
    before = client.get("/metrics").content

    # No worker runs yet: the tasks wait in the queue.
    succeeding = load_definition.delay(US_DEFINITION.name)
    failing = load_definition.delay("absent.yaml")
    waiting = client.get("/metrics").content
    assert figure(waiting, "celery_broker_up") == 1
    assert (
        figure(waiting, "celery_queue_length", queue="celery")
        >= figure(before, "celery_queue_length", queue="celery") + 2
    )

    worker = start_worker_process()
    try:
        assert succeeding.get(timeout=60)["questionnaire"] == "us-ukraine-security-arrangements"
        with pytest.raises(Exception, match="no such definition file is shipped"):
            failing.get(timeout=60)
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    after = client.get("/metrics").content
    task = {"task": "questionnaire.load_definition"}
    assert (
        figure(after, "celery_tasks_succeeded_total", **task)
        == figure(before, "celery_tasks_succeeded_total", **task) + 1
    )
    assert (
        figure(after, "celery_tasks_failed_total", **task)
        == figure(before, "celery_tasks_failed_total", **task) + 1
    )
    assert figure(after, "celery_queue_length", queue="celery") == 0  # the worker emptied it


@pytest.mark.django_db
def test_a_broker_that_does_not_answer_is_a_figure_not_an_error(client):
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        answer = client.get("/metrics")
    assert answer.status_code == 200
    assert figure(answer.content, "celery_broker_up") == 0
