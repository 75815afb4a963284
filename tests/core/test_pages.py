import re

import pytest
from django.urls import reverse

from config.navigation import navigation_for
from responses.models import Country, Membership
from tests.accounts.factories import TEST_PASSWORD, AnalystFactory, CoordinatorFactory, UserFactory
from tests.responses.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def assert_marked(html: str, marking: str = "NATO RESTRICTED") -> None:
    assert f'data-testid="marking-top">{marking}</div>' in html
    assert f'data-testid="marking-bottom">{marking}</div>' in html
    assert (
        html.index('data-testid="marking-top"')
        < html.index('id="main"')
        < html.index('data-testid="marking-bottom"')
    )


class TestAnonymous:
    def test_home_sends_to_login(self, client, us_round):
        response = client.get(reverse("home"))

        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next=/"

    def test_questionnaire_page_needs_login(self, client, us_round):
        response = client.get(reverse("questionnaire:current"))

        assert response.status_code == 302

    def test_login_page_carries_the_marking_and_the_demo_notice(self, client, us_round):
        response = client.get(reverse("login"))

        html = response.content.decode()
        assert response.status_code == 200
        assert_marked(html)
        assert "Every response in this instance is invented" in html
        assert re.search(r'<label\s+for="id_username"', html)
        assert 'href="/static/vendor/bootstrap/bootstrap.min.css"' in html
        # Nothing from a CDN or any other host: every asset is vendored under /static/ (the
        # page's random CSRF token may well contain the letters "cdn", so look at the addresses).
        assert not re.search(r'(src|href)="(https?:)?//', html)
        assert not re.search(r"(src|href)=\"[^\"]*cdn", html, re.IGNORECASE)
        assert "Sign out" not in html

    def test_a_wrong_password_keeps_the_username_and_says_so(self, client, us_round):
        UserFactory(username="fr.drafter")

        response = client.post(reverse("login"), {"username": "fr.drafter", "password": "wrong"})

        html = response.content.decode()
        assert response.status_code == 200
        assert "Please enter a correct username and password" in html
        assert 'value="fr.drafter"' in html


class TestSignedIn:
    def test_login_then_home_shows_the_users_countries(self, client, us_round):
        member = MembershipFactory(country=Country.objects.get(code="FR"), role=Membership.Role.DRAFTER)

        response = client.post(
            reverse("login"), {"username": member.user.username, "password": TEST_PASSWORD}, follow=True
        )

        html = response.content.decode()
        assert response.redirect_chain == [(reverse("home"), 302)]
        assert_marked(html)
        assert "Security arrangements for Ukraine – First round" in html
        assert "<td>France</td><td>Not started</td>" in html
        assert f"Signed in as {member.user.username}" in html

    def test_country_staff_see_no_admin_link(self, client, us_round):
        member = MembershipFactory(country=Country.objects.get(code="DE"))
        client.force_login(member.user)

        html = client.get(reverse("home")).content.decode()

        assert 'href="/admin/"' not in html
        assert [item.name for item in navigation_for(member.user)] == ["home", "responses", "questionnaire"]

    def test_coordinator_sees_the_administration(self, client, us_round):
        coordinator = CoordinatorFactory()
        client.force_login(coordinator)

        html = client.get(reverse("home")).content.decode()

        assert 'href="/admin/"' in html
        assert 'data-testid="submitted-count">0 submitted responses in this round.' in html

    def test_analyst_sees_counts_not_countries(self, client, us_round):
        client.force_login(AnalystFactory())

        html = client.get(reverse("home")).content.decode()

        assert 'data-testid="submitted-count"' in html
        assert 'href="/admin/"' not in html

    def test_questionnaire_page_lists_all_six_questions(
        self, client, us_round, django_assert_max_num_queries
    ):
        client.force_login(AnalystFactory())

        with django_assert_max_num_queries(12):
            response = client.get(reverse("questionnaire:current"))

        html = response.content.decode()
        for number in range(1, 7):
            assert f'id="q{number}-heading"' in html
        assert "A US security backstop or guarantee" in html
        assert html.count("data-field-key=") == 37
        assert_marked(html)

    def test_logout_is_a_post_and_ends_the_session(self, client, us_round):
        client.force_login(UserFactory())

        response = client.post(reverse("logout"))

        assert response.status_code == 302
        assert client.get(reverse("home")).status_code == 302


def test_pages_without_a_round_say_so(client):
    client.force_login(UserFactory())

    html = client.get(reverse("home")).content.decode()

    assert "No questionnaire round has been opened yet." in html
    assert 'data-testid="marking-top"' not in html
