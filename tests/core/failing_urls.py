"""The site's URLconf plus a view that fails on purpose after reading what was posted, for
tests/core/test_error_pages.py (a module of its own, so that the debug page's source excerpts
around the failure hold no test data)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def answer_then_fail(request: HttpRequest) -> HttpResponse:
    typed_answer = request.POST.get("q1_comments", "")
    answers = {"q1_comments": typed_answer}
    raise RuntimeError(f"fault after reading {len(answers)} answer")


urlpatterns = [path("fail/", answer_then_fail), *site_urlpatterns]
