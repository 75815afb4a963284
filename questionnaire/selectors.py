"""Reads over questionnaires and rounds."""

from django.db.models import Prefetch, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from questionnaire.models import Field, Option, Question, Round


def round_current() -> Round | None:
    """The round the application is about: the newest open one, else the newest of any status."""
    rounds = Round.objects.select_related("questionnaire").order_by("-opens_at", "-pk")
    return rounds.filter(status=Round.Status.OPEN).first() or rounds.first()


def questions_with_fields(round: Round) -> QuerySet[Question]:
    """The questions of a round's questionnaire with their fields and options, in three queries."""
    return questions_of_questionnaire(round.questionnaire_id)


def questions_of_questionnaire(questionnaire_id: int) -> QuerySet[Question]:
    fields = Field.objects.select_related("taxonomy", "show_when_field").prefetch_related(
        Prefetch("taxonomy__options", queryset=Option.objects.order_by("position"))
    )
    return (
        Question.objects.filter(questionnaire_id=questionnaire_id)
        .order_by("number")
        .prefetch_related(Prefetch("fields", queryset=fields.order_by("position")))
    )


def round_closed_reason(round: Round) -> str | None:
    """Why nothing can be saved in the round now, in words for the page; None while it accepts
    answers (the same rule as `Round.is_accepting_answers`)."""
    if round.status == Round.Status.CLOSED:
        return _("The coordinator has closed this round: answers can no longer be changed.")
    if round.deadline and timezone.now() >= round.deadline:
        return _(
            "The deadline of this round has passed (%(deadline)s): answers can no longer be changed."
        ) % {"deadline": formats.date_format(timezone.localtime(round.deadline), "DATETIME_FORMAT")}
    if round.status != Round.Status.OPEN:
        return _("This round is not open yet.")
    return None
