"""Countries, who acts for them, and their responses.

This is the first shape the foundation needs (countries, memberships, responses with versions, so
that demo data and the loader's "field has answers" rule have something to stand on); the
submission workflow builds on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from questionnaire.models import Round

if TYPE_CHECKING:
    from modeltranslation.manager import MultilingualManager


class Country(models.Model):
    # For the type checker only, as on the questionnaire's models: django-modeltranslation
    # replaces the default manager with its MultilingualManager (translation.py).
    objects: ClassVar[MultilingualManager[Self]]
    _default_manager: ClassVar[MultilingualManager[Self]]

    code = models.CharField(_("ISO 3166-1 alpha-2 code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_eu_member = models.BooleanField(_("EU member"), default=False)
    is_nato_member = models.BooleanField(_("NATO member"), default=False)
    is_european = models.BooleanField(_("European state"), default=False)
    # Whether the coordinator may invite it to answer (not the coordinating government, not the
    # subject of the questionnaire, not a party to the conflict).
    is_invitable = models.BooleanField(_("may be invited to answer"), default=True)

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user acting for one country in one role. A liaison officer may hold several."""

    class Role(models.TextChoices):
        DRAFTER = "drafter", _("Drafter")
        APPROVER = "approver", _("Approver")
        VIEWER = "viewer", _("Viewer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    country = models.ForeignKey(
        Country, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("country")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["country__name", "user__username"]
        constraints = [models.UniqueConstraint(fields=["user", "country"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} – {self.country} ({self.get_role_display()})"


class Response(models.Model):
    """One government's (or a group's, for a joint response) answer to one round."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for revision")

    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="responses", verbose_name=_("round")
    )
    authors = models.ManyToManyField(
        Country, through="ResponseAuthor", related_name="responses", verbose_name=_("author countries")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    # The newest version of any kind, and the newest submitted one (what analysts see). Not
    # indexed: they change on every save, and an index on them would turn each save's update of
    # this row into a full index update (PostgreSQL's HOT updates need unindexed columns).
    current_version = models.ForeignKey(
        "ResponseVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("current version"),
    )
    submitted_version = models.ForeignKey(
        "ResponseVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("latest submitted version"),
    )
    # The current version's answers and details in full. Draft versions store only what they
    # changed (docs/decisions/0004-version-deltas.md), so the state a save merges into and a page
    # shows is kept here, on the row a save locks anyway.
    answers = models.JSONField(_("current answers"), default=dict, blank=True)
    current_number = models.PositiveIntegerField(_("current version number"), default=0)
    metadata = models.JSONField(_("current response details"), default=dict, blank=True)
    # The editing session the newest save belongs to, and the fields it has changed so far.
    editing_session = models.ForeignKey(
        "EditingSession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("open editing session"),
    )
    # Who saved last: a save tells from the row it locked whether it continues its author's
    # editing session, without reading the session first.
    last_saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("last saved by"),
    )
    # Who last changed each question: {question number: version id}, kept by every save so that
    # no page scans the versions to find it.
    last_change_by_question = models.JSONField(_("last change by question"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["round", "pk"]

    def __str__(self) -> str:
        return f"{self.round}: {self.pk}"


class ResponseAuthor(models.Model):
    """A country answering in a response. The round is repeated here so that the database itself
    keeps a country from authoring two responses in one round."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="author_links")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("response author")
        verbose_name_plural = _("response authors")
        constraints = [models.UniqueConstraint(fields=["round", "country"], name="one_response_per_country")]

    def __str__(self) -> str:
        return f"{self.country} in {self.response_id}"


class VersionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Response versions are immutable: add a new version instead.")


class ResponseVersion(models.Model):
    """One save of a response, kept for ever and never changed.

    A snapshot version holds the answers in full: every submission, the first version and every
    SNAPSHOT_EVERY-th one. Any other draft version holds only its `changes` against the version
    before it (see responses/versioning.py), so storage grows with what changed, and rebuilding
    any version reads at most SNAPSHOT_EVERY rows.
    """

    class Kind(models.TextChoices):
        DRAFT = "draft", _("Draft save")
        SUBMISSION = "submission", _("Submission")

    # Not indexed on its own: the (response, number) unique index serves every lookup.
    response = models.ForeignKey(
        Response,
        on_delete=models.CASCADE,
        related_name="versions",
        db_index=False,
        verbose_name=_("response"),
    )
    number = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    is_snapshot = models.BooleanField(_("full snapshot"), default=True)
    # Snapshots: answers keyed by field key; the value's shape depends on the field type
    # (see questionnaire/answers.py). Empty in a delta version.
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    # Snapshots: contact point, approval date, approver's note. Empty in a delta version.
    metadata = models.JSONField(_("response details"), default=dict, blank=True)
    # Delta versions: {"set": {key: value}, "unset": [key], "edit": {key: [start, end, text]},
    # "metadata": {...} when the details changed}. Null in a snapshot.
    changes = models.JSONField(_("changes"), null=True, blank=True)
    changed_fields = models.JSONField(_("changed fields"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("saved by"),
    )
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    objects = VersionQuerySet.as_manager()

    # Not columns: set on instances for the history pages only (submissions_numbered in
    # responses/selectors.py, the history views): the number a reader is shown, the fields changed
    # since the previous submission, and those fields' labels.
    shown_number: int
    shown_changes: list[str]
    changed_labels: list[str]

    class Meta:
        verbose_name = _("response version")
        verbose_name_plural = _("response versions")
        ordering = ["response", "number"]
        constraints = [models.UniqueConstraint(fields=["response", "number"], name="version_number_unique")]

    def __str__(self) -> str:
        return f"{self.response_id} v{self.number}"

    def save(self, *args, **kwargs) -> None:
        # A version is a record of what was saved or submitted: written once, never changed.
        if self.pk is not None:
            raise TypeError("Response versions are immutable: add a new version instead.")
        super().save(*args, **kwargs)


class EditingSession(models.Model):
    """One person's consecutive saves of a response (a gap of EDITING_SESSION_GAP or a colleague's
    save ends it), or one submission or one restore. The history lists these, newest first, each
    expandable to its saves; a save updates its session's row, so no page counts versions."""

    class Kind(models.TextChoices):
        EDITING = "editing", _("Editing")
        SUBMISSION = "submission", _("Submission")
        RESTORE = "restore", _("Restore")

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="editing_sessions", verbose_name=_("response")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.EDITING)
    first_number = models.PositiveIntegerField(_("first version"))
    last_number = models.PositiveIntegerField(_("last version"))
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("last save"))
    save_count = models.PositiveIntegerField(_("saves"), default=1)
    # {field key: true} for every field a save of the session changed (an object, so that a save
    # adds its keys in the UPDATE itself).
    changed_fields = models.JSONField(_("changed fields"), default=dict, blank=True)
    # For a restore: the version whose answers were brought back.
    restored_from = models.PositiveIntegerField(_("restored from version"), null=True, blank=True)

    # Not a column: set on instances by the history view, the labels of its changed fields.
    changed_labels: list[str]

    class Meta:
        verbose_name = _("editing session")
        verbose_name_plural = _("editing sessions")
        ordering = ["response", "-first_number"]
        indexes = [models.Index(fields=["response", "-first_number"], name="session_response_newest")]

    def __str__(self) -> str:
        return f"{self.response_id} v{self.first_number}-{self.last_number} by {self.user_id}"


class ReturnRequest(models.Model):
    """The coordinator sends a submitted response back for revision, with comments."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="returns", verbose_name=_("response")
    )
    returned_version = models.ForeignKey(
        ResponseVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("returned version")
    )
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("returned by")
    )
    returned_at = models.DateTimeField(_("returned at"), auto_now_add=True)
    comment = models.TextField(_("general comment"), max_length=4000)
    # Comments on individual questions, by question key.
    question_comments = models.JSONField(_("comments per question"), default=dict, blank=True)

    class Meta:
        verbose_name = _("return for revision")
        verbose_name_plural = _("returns for revision")
        ordering = ["response", "-returned_at"]

    def __str__(self) -> str:
        return f"{self.response_id} returned {self.returned_at:%Y-%m-%d}"
