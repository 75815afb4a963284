"""Built reports: snapshots of the submitted versions they were built from, with their files."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from questionnaire.models import Round
from responses.models import Response, ResponseVersion


class Report(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        HTML = "html", "HTML"
        XLSX = "xlsx", "XLSX"
        PDF = "pdf", "PDF"
        CSV = "csv", "CSV"

    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="reports", verbose_name=_("round")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    # The scope. Empty lists mean "all": every responding country, every question.
    country_codes = models.JSONField(_("countries"), default=list, blank=True)
    question_numbers = models.JSONField(_("questions"), default=list, blank=True)
    formats = models.JSONField(_("formats"), default=list)
    # Headings, labels and summaries are written in this language (answers stay as typed).
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    # Built from exactly the versions that report used (the same snapshot, e.g. in another
    # language), not from the submissions as they are now.
    same_versions_as = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("same versions as"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    step = models.CharField(_("current step"), max_length=200, blank=True)
    error = models.TextField(_("why it failed"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # A rebuild points at the report it replaces.
    rebuild_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="rebuilds"
    )

    # Not a column: set on instances by the report list, the countries whose submission changed
    # since the report was built.
    changed_countries: list[str]

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"Report {self.pk} ({self.get_status_display()})"


class ReportSource(models.Model):
    """Exactly which submitted version of which response a report was built from."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="sources")
    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(ResponseVersion, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("report source")
        verbose_name_plural = _("report sources")
        constraints = [models.UniqueConstraint(fields=["report", "response"], name="report_source_unique")]

    def __str__(self) -> str:
        return f"report {self.report_id}: response {self.response_id} v{self.version_id}"


class ReportFile(models.Model):
    """A built file. Kept in the database so that web and workers on different hosts share it;
    report files are small. Served only through the permission-checked download view."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="files")
    format = models.CharField(max_length=10, choices=Report.Format.choices)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    built_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
        constraints = [models.UniqueConstraint(fields=["report", "format"], name="report_file_unique")]

    def __str__(self) -> str:
        return f"report {self.report_id} ({self.format})"


class SeenVersion(models.Model):
    """The submitted version of a response an analyst last saw, for "what changed since I looked"."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(ResponseVersion, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "response"], name="seen_version_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.response_id} v{self.version_id}"
