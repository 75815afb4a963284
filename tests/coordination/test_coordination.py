import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation
from audit.models import AuditEvent
from coordination import services
from coordination.models import ReminderSent
from coordination.services import deadline_reminders_due, reminders_send_now, round_update
from questionnaire.models import Round
from responses.models import Country, Membership
from tests.accounts.factories import AnalystFactory, CoordinatorFactory
from tests.matrix import matrix_mismatches, unlisted
from tests.responses.factories import COMPLETE, MembershipFactory, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def staffed(us_round):
    """Drafters and approvers with email for France, Germany and Spain; Spain has submitted."""
    for code in ("FR", "DE", "ES"):
        country = Country.objects.get(code=code)
        for role in (Membership.Role.DRAFTER, Membership.Role.APPROVER):
            MembershipFactory(country=country, role=role, user__username=f"{code.lower()}.{role}")
    submit(us_round, [Country.objects.get(code="ES")], COMPLETE)
    return us_round


class TestRounds:
    def test_the_coordinator_changes_deadline_status_and_marking_audited(self, us_round):
        coordinator = CoordinatorFactory()
        deadline = us_round.deadline + dt.timedelta(days=7)

        round_update(
            round=us_round,
            user=coordinator,
            status="closed",
            deadline=deadline,
            handling_marking="NATO SECRET",
        )

        us_round.refresh_from_db()
        assert (us_round.status, us_round.deadline, us_round.handling_marking) == (
            "closed",
            deadline,
            "NATO SECRET",
        )
        event = AuditEvent.objects.get(action="round.change")
        assert event.user == coordinator and event.detail["before"]["status"] == "open"

    def test_only_a_coordinator_and_only_sensible_values(self, us_round):
        with pytest.raises(PermissionDenied):
            round_update(
                round=us_round, user=AnalystFactory(), status="closed", deadline=None, handling_marking="X"
            )
        with pytest.raises(ValidationError):
            round_update(
                round=us_round,
                user=CoordinatorFactory(),
                status="open",
                deadline=us_round.opens_at - dt.timedelta(days=1),
                handling_marking="X",
            )


class TestReminders:
    def test_deadline_reminders_go_once_to_countries_without_a_submission(self, staffed):
        Round.objects.filter(pk=staffed.pk).update(deadline=timezone.now() + dt.timedelta(days=1, hours=12))

        first = deadline_reminders_due()
        again = deadline_reminders_due()

        assert first == 4  # France and Germany, for the 7-day and the 2-day reminder
        assert again == 0
        recipients = sorted(address for message in mail.outbox for address in message.to)
        assert "es.drafter@example.invalid" not in recipients
        assert recipients.count("fr.drafter@example.invalid") == 2
        assert "Please sign in to Allied Responses" in mail.outbox[0].body
        assert set(ReminderSent.objects.values_list("key", flat=True)) == {"before-7d", "before-2d"}

    def test_a_failed_send_is_tried_again_next_time(self, staffed, monkeypatch):
        Round.objects.filter(pk=staffed.pk).update(deadline=timezone.now() + dt.timedelta(hours=12))

        def broken(*args, **kwargs):
            raise ConnectionError("mail server down")

        monkeypatch.setattr(services, "send_mail", broken)
        with pytest.raises(ConnectionError):
            deadline_reminders_due()
        assert not ReminderSent.objects.exists()

        monkeypatch.undo()
        assert deadline_reminders_due() == 6

    def test_the_coordinators_reminder_button(self, staffed, client):
        coordinator = CoordinatorFactory()
        client.force_login(coordinator)

        client.post(reverse("coordination:round_remind", args=[staffed.pk]))
        client.post(reverse("coordination:round_remind", args=[staffed.pk]))

        assert len(mail.outbox) == 2  # France and Germany, once today
        assert AuditEvent.objects.filter(action="reminder.send").count() == 2
        assert reminders_send_now(round=staffed, user=coordinator) == 0


class TestAuditLog:
    def test_search_by_user_country_action_and_export(self, client, staffed):
        coordinator = CoordinatorFactory()
        client.force_login(coordinator)
        analyst = AnalystFactory(username="an.alyst")
        spain = staffed.responses.get()
        client.force_login(analyst)
        client.get(reverse("responses:detail", args=[spain.pk]))
        client.force_login(coordinator)

        page = client.get(
            reverse("coordination:audit"), {"user": "alyst", "country": "es", "action": "response.view"}
        )
        assert page.status_code == 200
        assert page.content.decode().count("an.alyst") == 1

        exported = client.get(reverse("coordination:audit_csv"), {"user": "alyst"})
        text = exported.content.decode("utf-8-sig")
        assert exported["Content-Disposition"].startswith("attachment")
        assert "an.alyst,response.view" in text

    @pytest.mark.parametrize(
        "hostile", ["' OR 1=1 --", "%", "_", '"; DROP TABLE audit_auditevent; --', "=cmd|' /C calc'!A0"]
    )
    def test_hostile_filters_are_just_text(self, client, staffed, hostile):
        client.force_login(CoordinatorFactory())

        page = client.get(reverse("coordination:audit"), {"user": hostile, "country": hostile[:2]})
        exported = client.get(reverse("coordination:audit_csv"), {"user": hostile})

        assert page.status_code == 200 and "No event matches." in page.content.decode()
        assert exported.status_code == 200
        assert AuditEvent.objects.model._meta.db_table  # the table is still there


# Columns: drafter, analyst, coordinator, anonymous.
EXPECTED = {
    ("rounds", "GET"): (403, 403, 200, 302),
    ("rounds", "POST"): (405, 405, 405, 302),
    ("round_edit", "GET"): (403, 403, 200, 302),
    ("round_edit", "POST"): (403, 403, 200, 302),
    ("round_remind", "GET"): (405, 405, 405, 302),
    ("round_remind", "POST"): (403, 403, 302, 302),
    ("audit", "GET"): (403, 403, 200, 302),
    ("audit", "POST"): (405, 405, 405, 302),
    ("audit_csv", "GET"): (403, 403, 200, 302),
    ("audit_csv", "POST"): (405, 405, 405, 302),
    ("users", "GET"): (403, 403, 200, 302),
    ("users", "POST"): (405, 405, 405, 302),
    ("user_detail", "GET"): (403, 403, 200, 302),
    ("user_detail", "POST"): (403, 403, 400, 302),  # an empty form names no action
    ("user_invite", "GET"): (403, 403, 200, 302),
    ("user_invite", "POST"): (403, 403, 200, 302),  # an empty form is shown again with errors
    ("invitations", "GET"): (403, 403, 200, 302),
    ("invitations", "POST"): (405, 405, 405, 302),
    ("invitation_revoke", "GET"): (405, 405, 405, 302),
    ("invitation_revoke", "POST"): (403, 403, 302, 302),
}


def test_permission_matrix_over_every_coordination_url(client, staffed):
    assert unlisted("coordination", EXPECTED) == [], "add it to EXPECTED"
    people = {
        "drafter": Membership.objects.filter(role="drafter").first().user,
        "analyst": AnalystFactory(),
        "coordinator": CoordinatorFactory(),
        "anonymous": None,
    }
    invitation = Invitation.objects.create(
        email="new@example.invalid",
        role="drafter",
        country=Country.objects.get(code="FR"),
        token_hash="0" * 64,
        invited_by=people["coordinator"],
        expires_at=timezone.now() + dt.timedelta(hours=72),
    )
    # Which object each URL's <pk> names.
    pks = {"user_detail": people["drafter"].pk, "invitation_revoke": invitation.pk}

    def kwargs_for(name: str, converters: list[str]) -> dict[str, int]:
        return dict.fromkeys(converters, pks.get(name, staffed.pk))

    assert matrix_mismatches(client, "coordination", EXPECTED, people, kwargs_for) == []
