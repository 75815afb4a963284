"""The coordinator's writes: rounds and reminders. Every change is audit-logged."""

import datetime as dt
import logging
from typing import cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import language_of
from audit.models import AuditEvent
from audit.services import audit_record
from coordination import permissions
from coordination.models import ReminderSent
from questionnaire.models import Round
from responses import permissions as responses_permissions
from responses.models import Country, Membership, Response, ResponseAuthor
from responses.selectors import round_addressees

logger = logging.getLogger(__name__)


def _require_coordinator(user: User) -> None:
    if not permissions.can_coordinate(user):
        raise PermissionDenied(_("Only coordinators run the round."))


@transaction.atomic
def round_update(
    *,
    round: Round,
    user: User,
    status: str,
    deadline: dt.datetime | None,
    handling_marking: str,
    addressee_codes: list[str] | None = None,
) -> Round:
    """Changes what a coordinator runs of a round; `addressee_codes` None keeps the list."""
    _require_coordinator(user)
    if not handling_marking.strip():
        raise ValidationError({"handling_marking": [_("A round needs its handling marking.")]})
    if deadline and round.opens_at and deadline <= round.opens_at:
        raise ValidationError({"deadline": [_("The deadline must be after the round opens.")]})
    before = {
        "status": round.status,
        "deadline": str(round.deadline),
        "marking": round.handling_marking,
        "addressees": list(round.addressee_codes),
    }
    round.status = status
    round.deadline = deadline
    round.handling_marking = handling_marking.strip()
    if addressee_codes is not None:
        known = set(Country.objects.filter(code__in=addressee_codes).values_list("code", flat=True))
        if unknown := sorted(set(addressee_codes) - known):
            raise ValidationError(
                {"addressees": [_("Unknown country codes: %(codes)s.") % {"codes": ", ".join(unknown)}]}
            )
        round.addressee_codes = sorted(known)
    round.save(update_fields=["status", "deadline", "handling_marking", "addressee_codes"])
    audit_record(
        user=user,
        action=AuditEvent.Action.ROUND_CHANGE,
        round_id=round.pk,
        before=before,
        after={
            "status": status,
            "deadline": str(deadline),
            "marking": round.handling_marking,
            "addressees": list(round.addressee_codes),
        },
    )
    return round


def countries_without_submission(round: Round) -> list[Country]:
    submitted = ResponseAuthor.objects.filter(round=round, response__status=Response.Status.SUBMITTED).values(
        "country_id"
    )
    # Reminders go to the countries the round was sent to, never to one it was not.
    addressees = Country.objects.filter(pk__in=[c.pk for c in round_addressees(round)])
    return list(addressees.filter(memberships__isnull=False).exclude(pk__in=submitted).distinct())


def _reminder_text(round: Round, country: Country) -> tuple[str, str]:
    if round.deadline:
        local = timezone.localtime(round.deadline)
        deadline = f"{date_format(local, 'DATETIME_FORMAT')} {local.strftime('%Z')}"  # with its zone
    else:
        deadline = "-"
    subject = _("Reminder: %(title)s – response due %(deadline)s") % {
        "title": round.questionnaire.title,
        "deadline": deadline,
    }
    body = _(
        "%(country)s has not yet submitted its response to “%(title)s” (%(round)s).\n"
        "The deadline is %(deadline)s. Please sign in to Allied Responses to complete and submit it."
    ) % {
        "country": country.name,
        "title": round.questionnaire.title,
        "round": round.title,
        "deadline": deadline,
    }
    return subject, body


def _send_reminder(round: Round, country: Country, key: str) -> int:
    """Sends one reminder to one country's drafters and approvers, at most once per key."""
    members = (
        Membership.objects.filter(
            country=country,
            role__in=responses_permissions.EDITING_ROLES,
            user__is_active=True,
        )
        .exclude(user__email="")
        .select_related("user")
    )
    # One mail per language, each person's own: the questionnaire's title too is in it.
    by_language: dict[str, list[str]] = {}
    for membership in members:
        by_language.setdefault(language_of(membership.user), []).append(membership.user.email)
    recipients = [email for emails in by_language.values() for email in emails]
    try:
        # The record and the mail succeed together: a failed send leaves no record, so the next
        # run tries again; a second run finds the record and sends nothing.
        with transaction.atomic():
            ReminderSent.objects.create(round=round, country=country, key=key, recipients=len(recipients))
            for language, emails in sorted(by_language.items()):
                with translation.override(language):
                    subject, body = _reminder_text(round, country)
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, emails)
    except IntegrityError:
        return 0
    logger.info("reminder %s sent to %s (%s recipients)", key, country.code, len(recipients))
    return 1


def reminders_send_now(*, round: Round, user: User) -> int:
    """The coordinator's reminder to every country that has not submitted (once a day at most)."""
    _require_coordinator(user)
    key = f"manual-{timezone.localdate():%Y-%m-%d}"
    sent = sum(_send_reminder(round, country, key) for country in countries_without_submission(round))
    audit_record(user=user, action=AuditEvent.Action.REMINDER_SEND, round_id=round.pk, countries=sent)
    return sent


def deadline_reminders_due(*, now: dt.datetime | None = None) -> int:
    """Run by beat: for every open round, the reminders whose day before the deadline has come,
    to the countries without a submission, each sent once."""
    now = now or timezone.now()
    sent = 0
    for round_ in Round.objects.filter(status=Round.Status.OPEN, deadline__gt=now).select_related(
        "questionnaire"
    ):
        for days in settings.DEADLINE_REMINDER_DAYS:
            # Rounds filtered on deadline__gt: each has a deadline.
            if now >= cast(dt.datetime, round_.deadline) - dt.timedelta(days=days):
                for country in countries_without_submission(round_):
                    sent += _send_reminder(round_, country, f"before-{days}d")
    return sent
