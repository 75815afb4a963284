"""The coordinators' audit log respects the draft rule: a country's saves, restores and its own
reading of its response are not shown one by one (the status page gives status and last save
time); analysts' and coordinators' reading of submitted versions, submissions, returns and every
setup or account change are."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import audit_record
from responses.models import Country, Membership, ResponseVersion
from responses.services import response_save_draft, response_start
from tests.accounts.factories import AnalystFactory, CoordinatorFactory
from tests.responses.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_no_draft_activity_in_the_coordinators_log_or_its_export(client, us_round):
    france = Country.objects.get(code="FR")
    drafter = MembershipFactory(country=france, role=Membership.Role.DRAFTER, user__username="fr.writer").user
    response = response_start(round=us_round, countries=[france])
    result = response_save_draft(
        response=response, user=drafter, answers={"q1_participate": "yes"}, base_version=0
    )
    draft = ResponseVersion.objects.get(pk=result.version.pk)
    # As the app writes them: an older per-save row, the drafter reading the draft and its history.
    audit_record(user=drafter, action=AuditEvent.Action.RESPONSE_SAVE, response=response, version=draft)
    audit_record(user=drafter, action=AuditEvent.Action.RESPONSE_VIEW, response=response, version=draft)
    audit_record(user=drafter, action=AuditEvent.Action.RESPONSE_HISTORY, response=response)
    analyst = AnalystFactory(username="an.reader")
    audit_record(user=analyst, action=AuditEvent.Action.RESPONSE_VIEW, response=response)
    client.force_login(CoordinatorFactory())

    page = client.get(reverse("coordination:audit")).content.decode()
    exported = client.get(reverse("coordination:audit_csv")).content.decode("utf-8-sig")

    for shown in (page, exported):
        assert "fr.writer" not in shown  # no save, no view of the draft
        assert "an.reader" in shown
    assert f",{draft.pk}," not in exported  # no draft version id
