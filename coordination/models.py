from django.db import models
from django.utils.translation import gettext_lazy as _

from questionnaire.models import Round
from responses.models import Country


class ReminderSent(models.Model):
    """One deadline reminder to one country: the unique key makes sending idempotent, so a beat
    restart or a second worker never sends it twice."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="+")
    # Days before the deadline for automatic reminders; manual reminders are keyed by their date.
    key = models.CharField(_("reminder"), max_length=40)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [models.UniqueConstraint(fields=["round", "country", "key"], name="reminder_once")]

    def __str__(self) -> str:
        return f"{self.round_id} {self.country_id} {self.key}"
