"""Reads over questionnaires and rounds."""

from django.db.models import Prefetch, QuerySet

from questionnaire.models import Field, Option, Question, Round


def round_current() -> Round | None:
    """The round the application is about: the newest open one, else the newest of any status."""
    rounds = Round.objects.select_related("questionnaire").order_by("-opens_at", "-pk")
    return rounds.filter(status=Round.Status.OPEN).first() or rounds.first()


def questions_with_fields(round: Round) -> QuerySet[Question]:
    """The questions of a round's questionnaire with their fields and options, in three queries."""
    fields = Field.objects.select_related("taxonomy", "show_when_field").prefetch_related(
        Prefetch("taxonomy__options", queryset=Option.objects.order_by("position"))
    )
    return (
        Question.objects.filter(questionnaire_id=round.questionnaire_id)
        .order_by("number")
        .prefetch_related(Prefetch("fields", queryset=fields.order_by("position")))
    )
