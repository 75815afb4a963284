"""Test data for answers: countries and memberships, a complete set of answers, and responses
submitted through the services or page by page."""

import factory
from django.test import Client
from django.urls import reverse

from responses.models import Country, Membership, Response
from responses.services import response_save_draft, response_start, response_submit
from tests.accounts.factories import UserFactory


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}")
    name = factory.LazyAttribute(lambda c: f"Country {c.code}")
    is_european = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    country = factory.SubFactory(CountryFactory)
    role = Membership.Role.DRAFTER


COMPLETE = {
    "q1_participate": "yes",
    "q1_send_troops": "no",
    "q2_force_size": {"value": 25000, "figure_kind": None},
    "q2_posture": "mixed",
    "q2_command": "eu_led",
    "q2_duration_kind": "open_ended_review",
    "q3_us_support_needed": "desirable",
    "q3_backstop_precondition": "depends",
    "q4_rules_of_engagement": "self_defence",
    "q4_commitment_form": "case_by_case",
    "q5_maintenance": "no",
    "q5_coproduction": "planned",
    "q6_willing": "yes_nationally",
    "q6_timing": "immediately",
}


def submit(round_, countries, answers):
    response = response_start(round=round_, countries=countries)
    drafter = MembershipFactory(country=countries[0], role=Membership.Role.DRAFTER).user
    approver = MembershipFactory(country=countries[-1], role=Membership.Role.APPROVER).user
    response_save_draft(response=response, user=drafter, answers=answers, base_version=0)
    response_submit(response=response, user=approver)
    response.refresh_from_db()
    return response


# Form data per question, as the question pages post it; a declaration is `<field>__declared`.
def pages(**overrides: dict[str, object]) -> dict[int, dict[str, object]]:
    """A complete answer, question by question, with some questions' data replaced."""
    base = {
        1: {"q1_participate": "yes", "q1_send_troops": "no"},
        2: {
            "q2_force_size": "25000",
            "q2_posture": "mixed",
            "q2_command": "eu_led",
            "q2_duration_kind": "open_ended_review",
        },
        3: {"q3_us_support_needed": "desirable", "q3_backstop_precondition": "depends"},
        4: {"q4_rules_of_engagement": "self_defence", "q4_commitment_form": "case_by_case"},
        5: {"q5_maintenance": "no", "q5_coproduction": "planned"},
        6: {"q6_willing": "yes_nationally", "q6_timing": "immediately"},
    }
    for number, data in overrides.items():
        base[int(number[1:])] = {**base[int(number[1:])], **data}
    return base


def answered_and_submitted(
    code: str, data_by_question: dict[int, dict[str, object]], *, language: str = ""
) -> Response:
    """Started, answered page by page and submitted through the pages, by a drafter and an
    approver whose accounts are set to `language` (the browser's, English, if empty)."""
    country = Country.objects.get(code=code)
    drafter, approver = (Client(), Client())
    for client, role in ((drafter, Membership.Role.DRAFTER), (approver, Membership.Role.APPROVER)):
        client.force_login(MembershipFactory(country=country, role=role, user__language=language).user)
    started = drafter.post(reverse("responses:country", args=[code]))
    assert started.status_code == 302
    response = Response.objects.get(authors=country)
    for number, data in data_by_question.items():
        response.refresh_from_db()
        page = drafter.post(
            reverse("responses:question", args=[response.pk, number]),
            {"base_version": response.current_number, **data},
        )
        assert page.status_code == 302, (code, number, page.content.decode()[:2000])
    response.refresh_from_db()
    submitted = approver.post(
        reverse("responses:submit", args=[response.pk]), {"reviewed_version": response.current_number}
    )
    assert submitted.status_code == 302, submitted.content.decode()[:2000]
    response.refresh_from_db()
    assert response.submitted_version is not None, code
    return response
