"""Definition files for tests: the shipped one with a change made in a copy."""

import datetime as dt
from pathlib import Path

import factory
from django.utils import timezone

from questionnaire.models import Questionnaire, Round


class QuestionnaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Questionnaire

    key = factory.Sequence(lambda n: f"questionnaire-{n}")
    title = factory.Sequence(lambda n: f"Questionnaire {n}")
    handling_marking = "NATO RESTRICTED"


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    key = factory.Sequence(lambda n: f"round-{n}")
    title = factory.Sequence(lambda n: f"Round {n}")
    status = Round.Status.OPEN
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    deadline = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))
    handling_marking = factory.SelfAttribute("questionnaire.handling_marking")


def write_variant(path: Path, old: str, new: str, count: int = 1) -> Path:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, f"test set-up: {old!r} not in the definition"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path
