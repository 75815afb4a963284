"""A server error never shows what was posted: not on Django's DEBUG page (the local demo runs
with DEBUG on), not in the text report that error e-mails carry, not on the public 500 page. The
public 500 page tells staff in plain words that their typed text is kept."""

import sys

import pytest
from django.http import HttpResponse
from django.template import loader
from django.test import Client, RequestFactory
from django.views.debug import ExceptionReporter, technical_500_response

from tests.core.failing_urls import answer_then_fail

TYPED = "Our troops would stay in Lviv until 2031"


pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.failing_urls")]


def failing_post(settings, debug: bool) -> HttpResponse:
    settings.DEBUG = debug
    client = Client(raise_request_exception=False)
    return client.post("/fail/", {"q1_comments": TYPED, "q1_participate": "yes"})


def test_the_debug_page_names_the_posted_fields_but_shows_none_of_their_values(settings):
    page = failing_post(settings, debug=True)

    html = page.content.decode()
    assert page.status_code == 500
    assert "RuntimeError" in html and "fault after reading 1 answer" in html  # still a debug page
    assert "q1_comments" in html
    assert TYPED not in html
    assert "Lviv" not in html  # not in a local variable's value either


def test_the_text_report_of_an_error_e_mail_shows_no_posted_value(settings):
    settings.DEBUG = False
    request = RequestFactory().post("/fail/", {"q1_comments": TYPED})
    try:
        answer_then_fail(request)
    except RuntimeError:
        reporter = ExceptionReporter(request, *sys.exc_info(), is_email=True)
        text = reporter.get_traceback_text()
        html = technical_500_response(request, *sys.exc_info()).content.decode()

    assert "answer_then_fail" in text
    assert TYPED not in text
    assert TYPED not in html


def test_the_public_error_page_says_the_typed_text_is_kept_and_shows_nothing_posted(settings):
    page = failing_post(settings, debug=False)

    html = page.content.decode()
    assert page.status_code == 500
    assert 'data-testid="typed-text-kept"' in html
    assert "What you typed into a question is not lost" in html
    assert "data-go-back" in html and "js/error-page.js" in html
    assert TYPED not in html and "q1_comments" not in html


def test_the_public_error_page_renders_without_a_request_or_context():
    """As Django's server_error view renders it: a fault in a context processor or the database
    must not break the page that reports it."""
    html = loader.get_template("500.html").render()

    assert "Something went wrong on our side" in html
    assert 'href="/"' in html


def test_a_missing_page_says_so_in_the_site_frame(client, settings):
    settings.DEBUG = False

    page = client.get("/no-such-page/")

    assert page.status_code == 404
    assert "This page does not exist, or it is not open to your account." in page.content.decode()
