"""A questionnaire is data: loaded from a definition file (see `questionnaire/loader.py`), so that
later rounds and other questionnaires need no code change."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Self

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from modeltranslation.manager import MultilingualManager


class Questionnaire(models.Model):
    # For the type checker only (an annotation without a value creates no attribute, and is not
    # evaluated under `from __future__ import annotations`): django-modeltranslation replaces the
    # default manager with its MultilingualManager when the model is registered in translation.py,
    # a class the django-stubs plugin cannot resolve on its own (django-stubs issue 1023).
    objects: ClassVar[MultilingualManager[Self]]
    _default_manager: ClassVar[MultilingualManager[Self]]

    key = models.SlugField(_("key"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    coordinator_name = models.CharField(_("coordinating government"), max_length=200, blank=True)
    # The marking new rounds start with; each round carries its own copy.
    handling_marking = models.CharField(_("handling marking"), max_length=100)
    definition_version = models.PositiveIntegerField(_("definition version"), default=1)
    source_file = models.CharField(_("loaded from"), max_length=300, blank=True)
    loaded_at = models.DateTimeField(_("last loaded"), null=True, blank=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Round(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("questionnaire")
    )
    key = models.SlugField(_("key"), max_length=100)
    title = models.CharField(_("title"), max_length=300)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    handling_marking = models.CharField(_("handling marking"), max_length=100)
    # The countries the round was sent to, by code (countries live in the responses app, above
    # this one): "not yet answered", the tracker, reminders and report covers count these only.
    # Empty: every country that may be invited.
    addressee_codes = models.JSONField(_("addressees"), default=list, blank=True)

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["questionnaire", "-opens_at", "key"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "key"], name="round_key_unique"),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(deadline__isnull=True)
                | Q(deadline__gt=models.F("opens_at")),
                name="round_deadline_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire.title}: {self.title}"

    @property
    def is_accepting_answers(self) -> bool:
        """Open, and its deadline (if any) not yet passed: after that nothing changes."""
        if self.status != self.Status.OPEN:
            return False
        return self.deadline is None or timezone.now() < self.deadline


class Taxonomy(models.Model):
    """A named list of options (e.g. US_SUPPORT), shared by the fields of one questionnaire."""

    # For the type checker only (an annotation without a value creates no attribute, and is not
    # evaluated under `from __future__ import annotations`): django-modeltranslation replaces the
    # default manager with its MultilingualManager when the model is registered in translation.py,
    # a class the django-stubs plugin cannot resolve on its own (django-stubs issue 1023).
    objects: ClassVar[MultilingualManager[Self]]
    _default_manager: ClassVar[MultilingualManager[Self]]

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="taxonomies", verbose_name=_("questionnaire")
    )
    key = models.CharField(_("key"), max_length=100)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("taxonomy")
        verbose_name_plural = _("taxonomies")
        ordering = ["questionnaire", "key"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "key"], name="taxonomy_key_unique")]

    def __str__(self) -> str:
        return self.key


class Option(models.Model):
    # For the type checker only (an annotation without a value creates no attribute, and is not
    # evaluated under `from __future__ import annotations`): django-modeltranslation replaces the
    # default manager with its MultilingualManager when the model is registered in translation.py,
    # a class the django-stubs plugin cannot resolve on its own (django-stubs issue 1023).
    objects: ClassVar[MultilingualManager[Self]]
    _default_manager: ClassVar[MultilingualManager[Self]]

    taxonomy = models.ForeignKey(
        Taxonomy, on_delete=models.CASCADE, related_name="options", verbose_name=_("taxonomy")
    )
    key = models.SlugField(_("key"), max_length=100)
    label = models.CharField(_("label"), max_length=300)
    position = models.PositiveIntegerField(_("position"))
    # An "other (specify)" option: choosing it asks for a text.
    asks_for_text = models.BooleanField(_("asks for a text"), default=False)
    # The English label's column, added by django-modeltranslation (translation.py); declared
    # for the type checker only, as the managers above are.
    label_en: str

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["taxonomy", "position"]
        constraints = [models.UniqueConstraint(fields=["taxonomy", "key"], name="option_key_unique")]

    def __str__(self) -> str:
        return self.label


class Question(models.Model):
    # For the type checker only (an annotation without a value creates no attribute, and is not
    # evaluated under `from __future__ import annotations`): django-modeltranslation replaces the
    # default manager with its MultilingualManager when the model is registered in translation.py,
    # a class the django-stubs plugin cannot resolve on its own (django-stubs issue 1023).
    objects: ClassVar[MultilingualManager[Self]]
    _default_manager: ClassVar[MultilingualManager[Self]]

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions", verbose_name=_("questionnaire")
    )
    key = models.SlugField(_("key"), max_length=100)
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("question text"))
    help_text = models.TextField(_("help text"), blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["questionnaire", "number"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "key"], name="question_key_unique"),
            models.UniqueConstraint(fields=["questionnaire", "number"], name="question_number_unique"),
        ]

    def __str__(self) -> str:
        return f"Q{self.number}. {self.title}"


class Field(models.Model):
    """One typed answer slot of a question; its type and aggregation drive forms and comparison."""

    # For the type checker only (an annotation without a value creates no attribute, and is not
    # evaluated under `from __future__ import annotations`): django-modeltranslation replaces the
    # default manager with its MultilingualManager when the model is registered in translation.py,
    # a class the django-stubs plugin cannot resolve on its own (django-stubs issue 1023).
    objects: ClassVar[MultilingualManager[Self]]
    _default_manager: ClassVar[MultilingualManager[Self]]

    class FieldType(models.TextChoices):
        CHOICE = "choice", _("Single choice")
        MULTI = "multi", _("Multiple choice")
        INTEGER = "integer", _("Whole number")
        MONTHS = "months", _("Duration in months")
        COUNTRIES = "countries", _("Countries")
        TEXT = "text", _("Free text")

    class Aggregation(models.TextChoices):
        COUNT = "count", _("Count by option")
        SUM_STATS = "sum+stats", _("Sum, minimum, median, maximum")
        # For figures that do not add up (proposals for one force's size, durations).
        STATS = "stats", _("Minimum, median, maximum")
        MENTIONS = "mentions", _("Mentions per option")
        NONE = "none", _("Not aggregated")

    # The questionnaire is repeated here so the database can keep keys unique across it:
    # answers are stored under the field's key.
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="fields", verbose_name=_("questionnaire")
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="fields", verbose_name=_("question")
    )
    key = models.SlugField(_("key"), max_length=100)
    position = models.PositiveIntegerField(_("position"))
    label = models.CharField(_("label"), max_length=300)
    help_text = models.TextField(_("help text"), blank=True)
    field_type = models.CharField(_("type"), max_length=20, choices=FieldType.choices)
    required = models.BooleanField(_("required at submission"), default=False)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    min_value = models.IntegerField(_("minimum"), null=True, blank=True)
    max_value = models.IntegerField(_("maximum"), null=True, blank=True)
    max_length = models.PositiveIntegerField(_("maximum length"), null=True, blank=True)
    taxonomy = models.ForeignKey(
        Taxonomy,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fields",
        verbose_name=_("taxonomy"),
    )
    # Numbers that carry an official / estimate flag, so an analyst never adds a guess to a
    # commitment without seeing it.
    has_figure_kind = models.BooleanField(_("asks official or estimate"), default=False)
    show_when_field = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dependent_fields",
        verbose_name=_("shown when field"),
    )
    show_when_values = models.JSONField(_("shown for values"), default=list, blank=True)
    aggregation = models.CharField(
        _("aggregation"), max_length=20, choices=Aggregation.choices, default=Aggregation.NONE
    )
    # The declared non-answers this field accepts instead of an answer (keys of
    # questionnaire.answers.NON_ANSWER_KINDS): a government may say it has no position rather
    # than enter filler that would distort every summary.
    non_answers = models.JSONField(_("declared non-answers accepted"), default=list, blank=True)
    # Its parts in the decision views (questionnaire/definition.py DecisionRole), and the short
    # mark that stands for it in a matrix of several fields.
    decision_roles = models.JSONField(_("decision roles"), default=list, blank=True)
    mark = models.CharField(_("mark"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        ordering = ["question__number", "position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "key"], name="field_key_unique"),
            models.UniqueConstraint(fields=["question", "position"], name="field_position_unique"),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(max_value__gte=models.F("min_value")),
                name="field_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.key
