"""Invitations: a coordinator invites by email; the link works once, for 72 hours; the invited
person chooses a password (validated) and, where required, sets up the second factor first."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, User
from accounts.services import invitation_accept, invitation_send
from audit.models import AuditEvent
from responses.models import Country, Membership
from tests.accounts.factories import AnalystFactory, CoordinatorFactory, UserFactory

pytestmark = pytest.mark.django_db

STRONG = "Kyiv-guarantees-2026!"


def _send(coordinator, email="new.drafter@example.invalid", country="FR", role="drafter"):
    return invitation_send(
        email=email,
        country=Country.objects.get(code=country) if country else None,
        role=role,
        invited_by=coordinator,
        accept_url_for=lambda token: f"http://testserver/accounts/invitation/{token}/",
    )


def _link_from_mail() -> str:
    match = re.search(r"http://testserver(/accounts/invitation/[^/\s]+/)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def _accept_form(**overrides) -> dict[str, str]:
    data = {
        "username": "fr.newdrafter",
        "first_name": "Jeanne",
        "last_name": "Martin",
        "password1": STRONG,
        "password2": STRONG,
    }
    return {**data, **overrides}


class TestSending:
    def test_the_coordinators_page_sends_one_mail_with_a_single_use_link(
        self, client, countries, django_capture_on_commit_callbacks
    ):
        coordinator = CoordinatorFactory()
        client.force_login(coordinator)
        with django_capture_on_commit_callbacks(execute=True):
            page = client.post(
                reverse("coordination:user_invite"),
                {
                    "email": "New.Drafter@Example.invalid",
                    "role": "drafter",
                    "country": Country.objects.get(code="FR").pk,
                },
            )
        assert page.status_code == 302
        invitation = Invitation.objects.get()
        assert invitation.email == "new.drafter@example.invalid"
        assert abs(invitation.expires_at - invitation.created_at - dt.timedelta(hours=72)) < dt.timedelta(
            seconds=5
        )
        assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new.drafter@example.invalid"]
        link = _link_from_mail()
        token = link.rstrip("/").rsplit("/", 1)[1]
        # Only a hash is stored: the database alone does not give out the link.
        assert token not in invitation.token_hash and len(token) >= 40
        assert AuditEvent.objects.filter(action="invitation.send", user=coordinator).exists()

    def test_country_roles_need_a_country_and_global_roles_none(self, client, countries):
        client.force_login(CoordinatorFactory())
        france = Country.objects.get(code="FR").pk
        no_country = client.post(
            reverse("coordination:user_invite"), {"email": "a@example.invalid", "role": "drafter"}
        )
        analyst_with_country = client.post(
            reverse("coordination:user_invite"),
            {"email": "b@example.invalid", "role": "analyst", "country": france},
        )
        assert "Choose the country this person will act for." in no_country.content.decode()
        assert "leave this empty" in analyst_with_country.content.decode()
        # What was typed stays in the form.
        assert 'value="a@example.invalid"' in no_country.content.decode()
        assert not Invitation.objects.exists()

    def test_only_a_coordinator_sends(self, countries):
        with pytest.raises(PermissionDenied):
            _send(AnalystFactory())

    def test_an_active_address_is_refused(self, countries):
        UserFactory(email="taken@example.invalid")
        with pytest.raises(ValidationError):
            _send(CoordinatorFactory(), email="TAKEN@example.invalid")

    def test_a_new_invitation_replaces_the_open_one(self, countries):
        coordinator = CoordinatorFactory()
        first = _send(coordinator)
        second = _send(coordinator)
        first.refresh_from_db()
        assert first.revoked_at is not None and second.revoked_at is None


class TestAccepting:
    def test_accept_creates_the_account_with_its_country_role_once(
        self, client, countries, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            _send(CoordinatorFactory())
        link = _link_from_mail()

        form = client.get(link)
        assert form.status_code == 200 and "France" in form.content.decode()
        done = client.post(link, _accept_form())
        assert done.status_code == 302 and done["Location"] == reverse("home")

        user = User.objects.get(username="fr.newdrafter")
        assert user.email == "new.drafter@example.invalid" and user.check_password(STRONG)
        assert Membership.objects.get(user=user).role == "drafter"
        assert AuditEvent.objects.filter(action="invitation.accept", user=user).exists()
        # Single use: a second visit (even signed out) is refused and explains why.
        client.logout()
        again = client.get(link)
        assert again.status_code == 410 and "already been used" in again.content.decode()
        assert client.post(link, _accept_form(username="someone.else")).status_code == 410
        assert User.objects.filter(email="new.drafter@example.invalid").count() == 1

    @override_settings(TWO_FACTOR_REQUIRED=True)
    def test_with_two_factor_required_the_next_step_is_enrolment(self, client, countries):
        with_token = _send(CoordinatorFactory(), role="approver")
        token = "x"
        Invitation.objects.filter(pk=with_token.pk).update(token_hash=_hash(token))
        done = client.post(reverse("accounts:invitation_accept", args=[token]), _accept_form())
        assert done["Location"] == reverse("accounts:two_factor_setup")
        # Before enrolling nothing else opens.
        home = client.get(reverse("home"))
        assert home.status_code == 302 and home["Location"].startswith(reverse("accounts:two_factor_setup"))

    def test_expired_and_revoked_links_say_so(self, client, countries):
        invitation = _send(CoordinatorFactory())
        Invitation.objects.filter(pk=invitation.pk).update(token_hash=_hash("t1"), expires_at=timezone.now())
        expired = client.get(reverse("accounts:invitation_accept", args=["t1"]))
        assert expired.status_code == 410 and "expired" in expired.content.decode()
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() + dt.timedelta(hours=1), revoked_at=timezone.now()
        )
        revoked = client.get(reverse("accounts:invitation_accept", args=["t1"]))
        assert revoked.status_code == 410 and "withdrawn" in revoked.content.decode()
        unknown = client.get(reverse("accounts:invitation_accept", args=["no-such-token"]))
        assert unknown.status_code == 404 and "not valid" in unknown.content.decode()

    @pytest.mark.parametrize(
        ("password", "message"),
        [
            ("short-1A", "too short"),
            ("password12345", "too common"),
            ("123456789012345", "entirely numeric"),
            ("fr.newdrafter-x", "too similar"),
        ],
    )
    def test_weak_passwords_are_refused_and_the_form_keeps_the_rest(
        self, client, countries, password, message
    ):
        invitation = _send(CoordinatorFactory())
        Invitation.objects.filter(pk=invitation.pk).update(token_hash=_hash("t2"))
        page = client.post(
            reverse("accounts:invitation_accept", args=["t2"]),
            _accept_form(password1=password, password2=password),
        )
        text = page.content.decode()
        assert page.status_code == 200 and message in text
        assert 'value="fr.newdrafter"' in text and 'value="Jeanne"' in text
        assert not User.objects.filter(username="fr.newdrafter").exists()

    def test_mismatched_passwords_and_taken_names(self, client, countries):
        UserFactory(username="taken.name")
        invitation = _send(CoordinatorFactory())
        Invitation.objects.filter(pk=invitation.pk).update(token_hash=_hash("t3"))
        url = reverse("accounts:invitation_accept", args=["t3"])
        assert (
            "The two passwords differ."
            in client.post(url, _accept_form(password2=STRONG + "x")).content.decode()
        )
        assert (
            "This user name is taken"
            in client.post(url, _accept_form(username="TAKEN.name")).content.decode()
        )

    def test_a_signed_in_person_is_told_to_sign_out_first(self, client, countries):
        invitation = _send(CoordinatorFactory())
        Invitation.objects.filter(pk=invitation.pk).update(token_hash=_hash("t4"))
        client.force_login(UserFactory())
        assert client.get(reverse("accounts:invitation_accept", args=["t4"])).status_code == 409

    def test_global_role_invitation_gives_the_global_role(self, countries):
        invitation = _send(CoordinatorFactory(), email="an@example.invalid", country=None, role="analyst")
        Invitation.objects.filter(pk=invitation.pk).update(token_hash=_hash("t5"))
        user = invitation_accept(token="t5", username="new.analyst", password=STRONG)
        assert user.is_analyst and not user.memberships.exists()

    def test_hostile_text_in_names_is_escaped_on_the_accounts_page(self, client, countries):
        invitation = _send(CoordinatorFactory())
        Invitation.objects.filter(pk=invitation.pk).update(token_hash=_hash("t6"))
        invitation_accept(
            token="t6",
            username="fr.x",
            password=STRONG,
            first_name="<script>alert(1)</script>",
            last_name="=1+1",
        )
        client.force_login(CoordinatorFactory())
        page = client.get(reverse("coordination:users")).content.decode()
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def _hash(token: str) -> str:
    from accounts.services import token_hash

    return token_hash(token)
