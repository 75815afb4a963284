from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One thing a person did or saw: every view of a response, every save, every download.
    Rows are only ever added."""

    class Action(models.TextChoices):
        RESPONSE_VIEW = "response.view", _("Viewed a response")
        RESPONSE_HISTORY = "response.history", _("Viewed a response's history")
        RESPONSE_DIFF = "response.diff", _("Compared two versions")
        # Draft saves are no longer written here one by one: every save is a version, kept with
        # who and when in the response's history. Older rows keep this action.
        RESPONSE_SAVE = "response.save", _("Saved a draft")
        RESPONSE_RESTORE = "response.restore", _("Restored an earlier version")
        RESPONSE_SUBMIT = "response.submit", _("Submitted a response")
        RESPONSE_RETURN = "response.return", _("Returned a response for revision")
        RESPONSE_START = "response.start", _("Started a response")
        REPORT_DOWNLOAD = "report.download", _("Downloaded a report")
        ROUND_CHANGE = "round.change", _("Changed a round")
        REMINDER_SEND = "reminder.send", _("Sent reminders")
        INVITATION_SEND = "invitation.send", _("Sent an invitation")
        INVITATION_REVOKE = "invitation.revoke", _("Revoked an invitation")
        INVITATION_ACCEPT = "invitation.accept", _("Accepted an invitation")
        ACCOUNT_DEACTIVATE = "account.deactivate", _("Deactivated an account")
        ACCOUNT_REACTIVATE = "account.reactivate", _("Reactivated an account")
        ACCOUNT_ROLE_CHANGE = "account.role", _("Changed a role")
        ACCOUNT_CHANGE = "account.change", _("Changed an account in the admin")
        ADMIN_CHANGE = "admin.change", _("Changed the setup in the admin")
        QUESTIONNAIRE_LOAD = "questionnaire.load", _("Loaded a questionnaire definition")
        TWO_FACTOR_ENROL = "2fa.enrol", _("Enrolled a second factor")
        TWO_FACTOR_RESET = "2fa.reset", _("Reset a second factor")
        PASSWORD_LINK = "account.password_link", _("Sent a password recovery link")
        TWO_FACTOR_LINK = "2fa.link", _("Sent a second-factor recovery link")
        TWO_FACTOR_CODES = "2fa.codes", _("Generated new backup codes")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    action = models.CharField(_("action"), max_length=40, choices=Action.choices, db_index=True)
    response = models.ForeignKey(
        "responses.Response", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.ForeignKey(
        "responses.ResponseVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action}"
