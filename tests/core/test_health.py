"""/healthz and /readyz answer a probe from inside the container under the production rules
(no https redirect, any Host header), say nothing about the components, and readiness fails
when the database or Redis does not answer."""

import pytest
from django.test import override_settings


def test_liveness_answers_without_https_or_a_known_host(client):
    with override_settings(SECURE_SSL_REDIRECT=True, ALLOWED_HOSTS=["responses.example.org"]):
        answer = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")
    assert answer.status_code == 200 and answer.content == b"ok\n"
    assert answer["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readiness_checks_the_database_and_redis(client):
    with override_settings(SECURE_SSL_REDIRECT=True, ALLOWED_HOSTS=["responses.example.org"]):
        answer = client.get("/readyz", HTTP_HOST="127.0.0.1:8000")
    assert answer.status_code == 200 and answer.content == b"ready\n"


@pytest.mark.django_db
def test_readiness_fails_plainly_when_redis_is_away(client):
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        answer = client.get("/readyz")
    assert answer.status_code == 503 and answer.content == b"unavailable\n"


def test_probes_take_no_post(client):
    assert client.post("/healthz").status_code == 405
