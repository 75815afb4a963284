"""The one way a service's ValidationError reaches the person: on the form that led to it, in
the page's messages, in a JSON answer or on a command line, always with the service's own words.
Views call these; none joins `exc.messages` itself."""

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest
from django.utils.functional import Promise


def service_error_text(exc: ValidationError) -> str:
    """The service's messages as one sentence or several, for a message, JSON or a command."""
    return " ".join(exc.messages)


def service_errors_by_field(exc: ValidationError) -> dict[str, list[str]]:
    """Field name (or "__all__") -> messages, whether the service named fields or not."""
    return exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}


def add_service_errors(form: forms.BaseForm, exc: ValidationError, *, field: str | None = None) -> None:
    """Shows a service's ValidationError on the form that led to it: at its field when the
    service named one the form has, else at ``field`` (above the form when None)."""
    for name, errors in service_errors_by_field(exc).items():
        form.add_error(name if name in form.fields else field, errors)


def message_service_error(request: HttpRequest, exc: ValidationError, template: str | Promise = "") -> None:
    """Puts the error in the next page's messages; ``template`` frames it ("Not sent: %(reason)s")."""
    reason = service_error_text(exc)
    messages.error(request, template % {"reason": reason} if template else reason)
