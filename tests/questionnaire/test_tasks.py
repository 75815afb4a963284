import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from config.celery import app as celery_app
from questionnaire.loader import DefinitionError
from questionnaire.models import Field, Questionnaire
from questionnaire.tasks import load_definition
from tests.conftest import US_DEFINITION


@pytest.mark.django_db
def test_the_task_loads_a_shipped_definition():
    result = load_definition.apply(args=[US_DEFINITION.name])

    assert result.successful()
    assert result.result["questionnaire"] == "us-ukraine-security-arrangements"
    assert result.result["created"] is True
    assert "field q1_troops_offered: added" in result.result["changes"]
    assert Field.objects.count() == 37


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["../loader.py", "/etc/passwd", "absent.yaml", "../../requirements.txt"])
def test_the_task_accepts_only_shipped_definition_names(name):
    with pytest.raises(DefinitionError, match="no such definition file is shipped"):
        load_definition.apply(args=[name], throw=True)

    assert not Questionnaire.objects.exists()


@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_the_task_runs_on_a_real_worker_through_redis():
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: no broker for a real worker (CI sets it)")
    assert not celery_app.conf.task_always_eager
    assert celery_app.conf.broker_url.startswith("redis://")

    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        first = load_definition.delay(US_DEFINITION.name).get(timeout=60)
        second = load_definition.delay(US_DEFINITION.name).get(timeout=60)

    assert first["created"] is True
    assert second == {"questionnaire": "us-ukraine-security-arrangements", "created": False, "changes": []}
    assert Questionnaire.objects.get().fields.count() == 37
