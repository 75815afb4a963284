"""The admin has no sign-in of its own: /admin/login/ sends everyone to the site's sign-in page,
with its form checks, lockout and second factor; no input there is a server error."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_admin_login_page_sends_to_the_sites_sign_in(client):
    answer = client.get("/admin/login/?next=/admin/accounts/user/")

    assert answer.status_code == 302
    assert answer["Location"] == reverse("login") + "?next=/admin/accounts/user/"


def test_a_300_character_user_name_posted_to_the_admin_is_no_server_error(client):
    answer = client.post("/admin/login/", {"username": "x" * 300, "password": "anything"})

    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("login"))
    # And on the site's own page it is refused as a form error.
    page = client.post(reverse("login"), {"username": "x" * 300, "password": "anything"})
    assert page.status_code == 200
