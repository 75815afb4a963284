"""Every response URL x every role x GET and POST, for a draft and for a submitted response.

The URLs come from the resolver, not from a list here: a new URL in the `responses` namespace
without an expectation below makes `test_every_response_url_has_expectations` fail.
"""

import pytest
from django.urls import reverse

from responses.models import Response
from tests.matrix import matrix_mismatches, unlisted, url_names

pytestmark = pytest.mark.django_db

ROLES = ("drafter", "approver", "viewer", "other_country", "analyst", "coordinator", "anonymous")
LOGIN = 302  # anonymous: sent to the login page


def row(drafter, approver, viewer, other_country, analyst, coordinator, anonymous=LOGIN):
    return dict(
        zip(ROLES, (drafter, approver, viewer, other_country, analyst, coordinator, anonymous), strict=True)
    )


# (url name, method) -> {state: expected status per role}
EXPECTED = {
    ("list", "GET"): {
        "draft": row(200, 200, 200, 200, 200, 200),
        "submitted": row(200, 200, 200, 200, 200, 200),
    },
    ("list", "POST"): {
        "draft": row(405, 405, 405, 405, 405, 405),
        "submitted": row(405, 405, 405, 405, 405, 405),
    },
    ("joint_create", "GET"): {
        "draft": row(403, 403, 403, 403, 403, 200),
        "submitted": row(403, 403, 403, 403, 403, 200),
    },
    ("joint_create", "POST"): {
        "draft": row(403, 403, 403, 403, 403, 200),
        "submitted": row(403, 403, 403, 403, 403, 200),
    },
    ("country", "GET"): {
        "draft": row(302, 302, 302, 404, 404, 404),
        "submitted": row(302, 302, 302, 404, 404, 404),
    },
    ("country", "POST"): {
        "draft": row(302, 302, 302, 404, 404, 404),
        "submitted": row(302, 302, 302, 404, 404, 404),
    },
    ("detail", "GET"): {
        "draft": row(200, 200, 200, 404, 404, 404),
        "submitted": row(200, 200, 200, 404, 200, 200),
    },
    ("detail", "POST"): {
        "draft": row(405, 405, 405, 405, 405, 405),
        "submitted": row(405, 405, 405, 405, 405, 405),
    },
    ("question", "GET"): {
        "draft": row(200, 200, 200, 404, 404, 404),
        "submitted": row(200, 200, 200, 404, 200, 200),
    },
    ("question", "POST"): {
        "draft": row(302, 302, 403, 404, 404, 404),
        "submitted": row(302, 302, 403, 404, 403, 403),
    },
    ("autosave", "GET"): {
        "draft": row(405, 405, 405, 405, 405, 405),
        "submitted": row(405, 405, 405, 405, 405, 405),
    },
    ("autosave", "POST"): {
        "draft": row(200, 200, 403, 404, 404, 404),
        "submitted": row(409, 409, 403, 404, 403, 403),
    },
    ("presence", "GET"): {
        "draft": row(405, 405, 405, 405, 405, 405),
        "submitted": row(405, 405, 405, 405, 405, 405),
    },
    ("presence", "POST"): {
        "draft": row(200, 200, 200, 404, 404, 404),
        "submitted": row(200, 200, 200, 404, 404, 404),
    },
    ("details", "GET"): {
        "draft": row(200, 200, 403, 404, 404, 404),
        "submitted": row(403, 403, 403, 404, 404, 404),
    },
    ("details", "POST"): {
        "draft": row(302, 302, 403, 404, 404, 404),
        "submitted": row(403, 403, 403, 404, 404, 404),
    },
    ("history", "GET"): {
        "draft": row(200, 200, 200, 404, 404, 404),
        "submitted": row(200, 200, 200, 404, 200, 200),
    },
    ("history", "POST"): {
        "draft": row(405, 405, 405, 405, 405, 405),
        "submitted": row(405, 405, 405, 405, 405, 405),
    },
    ("diff", "GET"): {
        "draft": row(200, 200, 200, 404, 404, 404),
        "submitted": row(200, 200, 200, 404, 200, 200),
    },
    ("diff", "POST"): {
        "draft": row(405, 405, 405, 405, 405, 405),
        "submitted": row(405, 405, 405, 405, 405, 405),
    },
    ("version", "GET"): {
        "draft": row(200, 200, 200, 404, 404, 404),
        "submitted": row(200, 200, 200, 404, 200, 200),
    },
    ("version", "POST"): {
        "draft": row(405, 405, 405, 405, 405, 405),
        "submitted": row(405, 405, 405, 405, 405, 405),
    },
    # Version 1 is the current one here: editors are sent back with the reason.
    ("restore", "GET"): {
        "draft": row(405, 405, 405, 405, 405, 405),
        "submitted": row(405, 405, 405, 405, 405, 405),
    },
    ("restore", "POST"): {
        "draft": row(302, 302, 403, 404, 404, 404),
        "submitted": row(302, 302, 403, 404, 404, 404),
    },
    ("submit", "GET"): {
        "draft": row(403, 200, 403, 404, 404, 404),
        "submitted": row(403, 200, 403, 404, 404, 404),
    },
    ("submit", "POST"): {
        "draft": row(403, 302, 403, 404, 404, 404),
        "submitted": row(403, 200, 403, 404, 404, 404),
    },
    ("return", "GET"): {
        "draft": row(403, 403, 403, 404, 404, 404),
        "submitted": row(403, 403, 403, 404, 403, 200),
    },
    ("return", "POST"): {
        "draft": row(403, 403, 403, 404, 404, 404),
        "submitted": row(403, 403, 403, 404, 403, 302),
    },
}


def post_data(name: str, response: Response) -> dict[str, str]:
    base = str(response.current_version.number)
    return {
        "question": {"base_version": base, "q1_participate": "yes", "q1_send_troops": "no"},
        "autosave": {"base_version": base, "q1_participate": "undecided", "q1_send_troops": "no"},
        "details": {"base_version": base, "contact_name": "Jeanne Martin"},
        "return": {"comment": "Please complete question 2."},
        "presence": {"question": "1"},
        "submit": {"reviewed_version": base},
    }.get(name, {})


def test_every_response_url_has_expectations():
    assert len(url_names("responses")) >= 12
    assert unlisted("responses", EXPECTED) == [], "add them to EXPECTED"


@pytest.mark.parametrize("state", ["draft", "submitted"])
def test_permission_matrix(client, people, state, request):
    response = request.getfixturevalue(f"{state}_response")
    values = {"pk": response.pk, "number": 1, "code": "FR"}
    mismatches = matrix_mismatches(
        client,
        "responses",
        lambda name, method, role: EXPECTED[(name, method)][state][role],
        {role: people[role] for role in ROLES},
        lambda name, converters: {key: values[key] for key in converters},
        data_for=lambda name: post_data(name, response),
        # Version 1 for members; for analysts and coordinators, submission 1.
        query_for=lambda name: "?from=1&to=1" if name == "diff" else "",
    )
    assert mismatches == []


def test_a_guessed_id_of_another_country_gives_404_without_a_hint(client, people, draft_response):
    client.force_login(people["other_country"])

    existing = client.get(reverse("responses:detail", args=[draft_response.pk]))
    absent = client.get(reverse("responses:detail", args=[draft_response.pk + 1000]))

    assert existing.status_code == absent.status_code == 404
    assert "France" not in existing.content.decode()
