"""What an error report may show. Django's debug page and error e-mails list the POST data and
every frame's local variables; here those are a government's draft answers, so they are hidden
whatever DEBUG says (Django's own filter does nothing under DEBUG, and the local demo runs with
DEBUG on while staff may still type real text into it)."""

from collections.abc import Iterable
from types import FrameType
from typing import Any

from django.http import HttpRequest, QueryDict
from django.views.debug import SafeExceptionReporterFilter


class AnswersHiddenExceptionReporterFilter(SafeExceptionReporterFilter):
    """Shows the names of POST parameters and local variables but never their values: which one
    held an answer cannot be told from its name (`answers`, `data`, `merged`, `value`, ...).
    The traceback, the request's path, method and user, and the settings, cookies and headers
    (cleansed by the parent class) stay: they are what finding a fault needs."""

    def get_post_parameters(self, request: HttpRequest | None) -> QueryDict | dict[str, Any]:
        if request is None:
            return {}
        cleansed = request.POST.copy()
        for key in cleansed:
            cleansed.setlist(key, [self.cleansed_substitute])
        return cleansed

    # django-stubs types the parent's result as an ItemsView, which it happens to be; Django's
    # ExceptionReporter only iterates it as (name, value) pairs, as this list is.
    def get_traceback_frame_variables(  # type: ignore[override]
        self, request: HttpRequest | None, tb_frame: FrameType
    ) -> Iterable[tuple[str, Any]]:
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
