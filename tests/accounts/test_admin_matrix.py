"""Every admin URL (each registered model's list, add, change, history, delete and the password
page) for every role, generated from the admin's registry so that a model registered later is
covered too: nobody but coordinators and superusers gets in, a coordinator gets 403 on every
password, user-permission and second-factor page, and no URL is a server error for anyone."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import NoReverseMatch, reverse

from accounts.models import User
from accounts.services import admin_access_sync, coordinators_group
from responses.models import Country, Membership
from tests.accounts.factories import AnalystFactory, CoordinatorFactory, UserFactory
from tests.responses.factories import MembershipFactory

pytestmark = pytest.mark.django_db

# Models whose admin pages give or show power over people: never a coordinator's.
COORDINATOR_FORBIDDEN_MODELS = {
    "auth.group",
    "auth.permission",
    "otp_totp.totpdevice",
    "otp_static.staticdevice",
}


def admin_urls() -> list[tuple[str, str]]:
    """(kind, url) for every page of every registered model, with its first object."""
    urls = [("index", reverse("admin:index"))]
    for model in admin.site._registry:
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        label = f"{opts.app_label}.{opts.model_name}"
        urls.append((f"{label} list", reverse(f"{name}_changelist")))
        urls.append((f"{label} add", reverse(f"{name}_add")))
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            continue
        for page in ("change", "history", "delete"):
            urls.append((f"{label} {page}", reverse(f"{name}_{page}", args=[obj.pk])))
        if model is User:
            for user in User.objects.all():
                try:
                    urls.append(("password", reverse("admin:auth_user_password_change", args=[user.pk])))
                except NoReverseMatch:
                    urls.append(("password", f"/admin/accounts/user/{user.pk}/password/"))
    return urls


@pytest.fixture
def people(us_round):
    coordinators_group()
    drafter = MembershipFactory(country=Country.objects.get(code="FR"), role=Membership.Role.DRAFTER).user
    coordinator = CoordinatorFactory()
    admin_access_sync(coordinator)
    Group.objects.get_or_create(name="Someone's group")
    return {
        "anonymous": None,
        "drafter": drafter,
        "analyst": AnalystFactory(),
        "coordinator": coordinator,
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }


def status_of(person, url: str, method: str = "get") -> tuple[int, str]:
    client = Client()
    if person is not None:
        client.force_login(person)
    answer = client.get(url) if method == "get" else client.post(url, {})
    return answer.status_code, answer.get("Location", "")


def test_every_admin_url_for_every_role(people):
    urls = admin_urls()
    assert len(urls) > 40  # the registry was walked
    problems = []
    for role, person in people.items():
        for kind, url in urls:
            for method in ("get", "post"):
                status, location = status_of(person, url, method)
                if status >= 500:
                    problems.append(f"{role} {method} {url}: {status}")
                elif role in ("anonymous", "drafter", "analyst"):
                    # Sent to sign in (the admin's login page sends on to the site's own).
                    if not (status == 302 and "login" in location):
                        problems.append(f"{role} {method} {url}: {status} -> {location}")
                elif role == "coordinator":
                    model = kind.split(" ")[0]
                    forbidden = kind == "password" or model in COORDINATOR_FORBIDDEN_MODELS
                    forbidden = forbidden or kind == "accounts.user add"
                    if forbidden and status != 403:
                        problems.append(f"{role} {method} {url}: {status}, expected 403")
                # Logs and invitations are written by the app, never added or deleted by hand:
                # those pages are refused even to a superuser.
                elif (
                    role == "superuser"
                    and method == "get"
                    and status != 200
                    and not (kind.endswith((" add", " delete")) and status == 403)
                ):
                    problems.append(f"{role} {method} {url}: {status}")
    assert problems == [], "\n".join(problems)
