"""CSRF is enforced on every state-changing request: no view of ours is exempt, and a POST
without the token is refused before any view runs, for every URL of every app."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.accounts.factories import CoordinatorFactory

pytestmark = pytest.mark.django_db

OUR_NAMESPACES = {"accounts", "responses", "reports", "coordination", "questionnaire"}
SAMPLE_KWARGS = {
    "pk": 1,
    "number": 1,
    "code": "FR",
    "token": "x",
    "fmt": "pdf",
    "kind": "pdf",
    "uidb64": "MQ",
}


def our_urls() -> list[tuple[str, object]]:
    found = []
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace in OUR_NAMESPACES:
            for pattern in entry.url_patterns:
                assert isinstance(pattern, URLPattern)
                kwargs = {key: SAMPLE_KWARGS[key] for key in pattern.pattern.converters}
                found.append((reverse(f"{entry.namespace}:{pattern.name}", kwargs=kwargs), pattern.callback))
        elif isinstance(entry, URLPattern) and entry.name:
            kwargs = {key: SAMPLE_KWARGS[key] for key in entry.pattern.converters}
            found.append((reverse(entry.name, kwargs=kwargs), entry.callback))
    return found


def test_no_view_is_csrf_exempt():
    exempt = [url for url, callback in our_urls() if getattr(callback, "csrf_exempt", False)]
    assert exempt == []


def test_every_post_without_a_token_is_refused(countries):
    urls = [url for url, _callback in our_urls()]
    assert len(urls) > 40  # the walk found the apps' URLs
    client = Client(enforce_csrf_checks=True)
    client.force_login(CoordinatorFactory())
    accepted = []
    for url in [*urls, "/accounts/login/", "/accounts/logout/", "/admin/login/"]:
        answer = client.post(url, {"anything": "1"})
        if answer.status_code != 403 or b"CSRF" not in answer.content:
            accepted.append(f"{url}: {answer.status_code}")
    assert accepted == []


def test_a_post_with_the_token_goes_through(countries):
    client = Client(enforce_csrf_checks=True)
    client.force_login(CoordinatorFactory())
    page = client.get(reverse("coordination:user_invite"))
    token = page.cookies["csrftoken"].value
    answer = client.post(
        reverse("coordination:user_invite"), {"csrfmiddlewaretoken": token, "email": "not-an-address"}
    )
    assert answer.status_code == 200 and "Enter a valid email address." in answer.content.decode()


def test_pages_that_only_show_refuse_other_methods(client):
    client.force_login(CoordinatorFactory())
    for name in ("home", "questionnaire:current"):
        assert client.get(reverse(name)).status_code in (200, 302)
        assert client.put(reverse(name)).status_code == 405
        assert client.options(reverse(name)).status_code == 405
