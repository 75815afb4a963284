"""A round is sent to a list of addressee countries: from the definition file, editable by the
coordinator (audited). "Not yet answered", the tracker, reminders and report covers count them
only; a report names only the countries it was asked for."""

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from coordination.services import reminders_send_now, round_update
from questionnaire.loader import questionnaire_load
from questionnaire.models import Round
from reports.models import Report
from reports.selectors import comparison_build
from reports.services import report_build
from responses.models import Country, Membership
from tests.accounts.factories import AnalystFactory, CoordinatorFactory
from tests.conftest import US_DEFINITION
from tests.responses.factories import COMPLETE, MembershipFactory, submit

pytestmark = pytest.mark.django_db


def test_the_us_round_is_sent_to_the_european_allies_and_partners(us_round):
    codes = set(us_round.addressee_codes)
    assert {"FR", "DE", "PL", "GB", "NO", "TR", "AT", "IE"} <= codes
    assert not codes & {"VA", "JP", "AU", "UA", "US", "CA", "KR", "NZ"}


def test_a_round_loaded_before_addressees_takes_the_files_list_once(us_round):
    Round.objects.filter(pk=us_round.pk).update(addressee_codes=[])
    report = questionnaire_load(path=US_DEFINITION)
    assert "round round-1: addressees set from the file" in report.changes
    round_ = Round.objects.get(pk=us_round.pk)
    assert "FR" in round_.addressee_codes

    # After that the list is the coordinator's: a reload keeps what they chose.
    Round.objects.filter(pk=us_round.pk).update(addressee_codes=["FR", "DE"])
    questionnaire_load(path=US_DEFINITION)
    assert Round.objects.get(pk=us_round.pk).addressee_codes == ["FR", "DE"]


def test_not_yet_answered_counts_addressees_only(us_round):
    submit(us_round, [Country.objects.get(code="FR")], COMPLETE)
    submit(us_round, [Country.objects.get(code="JP")], COMPLETE)  # answered unasked

    not_answered = {c.code for c in comparison_build(round=us_round).not_answered}

    assert not_answered == set(us_round.addressee_codes) - {"FR"}


def test_the_coordinator_edits_the_list_on_the_rounds_page_audited(client, us_round):
    coordinator = CoordinatorFactory()
    client.force_login(coordinator)
    url = reverse("coordination:round_edit", args=[us_round.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="FR" selected' in page.content.decode()

    answer = client.post(
        url,
        {
            "status": "open",
            "deadline": us_round.deadline.strftime("%Y-%m-%dT%H:%M"),
            "handling_marking": us_round.handling_marking,
            "addressees": ["FR", "DE", "CH"],
        },
    )

    assert answer.status_code == 302
    assert Round.objects.get(pk=us_round.pk).addressee_codes == ["CH", "DE", "FR"]
    event = AuditEvent.objects.filter(action="round.change").latest("at")
    assert "GB" in event.detail["before"]["addressees"]
    assert event.detail["after"]["addressees"] == ["CH", "DE", "FR"]


def test_an_unknown_code_is_refused_by_name(us_round):
    with pytest.raises(Exception, match="ZZ"):
        round_update(
            round=us_round,
            user=CoordinatorFactory(),
            status="open",
            deadline=us_round.deadline,
            handling_marking="NATO RESTRICTED",
            addressee_codes=["FR", "ZZ"],
        )


def test_reminders_go_to_addressees_only(us_round):
    for code in ("FR", "JP"):
        MembershipFactory(
            country=Country.objects.get(code=code),
            role=Membership.Role.DRAFTER,
            user__email=f"{code.lower()}@example.invalid",
        )

    sent = reminders_send_now(round=us_round, user=CoordinatorFactory())

    recipients = {address for message in mail.outbox for address in message.to}
    assert "fr@example.invalid" in recipients
    assert "jp@example.invalid" not in recipients
    assert sent == 1


def test_the_tracker_lists_addressees_and_countries_that_answered_unasked(client, us_round):
    submit(us_round, [Country.objects.get(code="JP")], COMPLETE)
    client.force_login(CoordinatorFactory())

    page = client.get(reverse("reports:status")).content.decode()

    assert "France" in page and "Japan" in page
    assert "Holy See" not in page and "Australia" not in page


def test_a_report_for_some_countries_names_only_those_as_not_yet_answered(us_round):
    submit(us_round, [Country.objects.get(code="FR")], COMPLETE)
    report = Report.objects.create(
        round=us_round,
        requested_by=AnalystFactory(),
        formats=["html"],
        country_codes=["FR", "ES", "PT"],
    )
    report = report_build(report_id=report.pk)
    html = bytes(report.files.get(format="html").content).decode()
    cover = html[html.index("Not yet answered") : html.index("</dd>", html.index("Not yet answered"))]

    assert "Spain" in cover and "Portugal" in cover
    assert "France" not in cover  # it answered
    assert "Holy See" not in cover and "Greece" not in cover  # not asked for in this report
