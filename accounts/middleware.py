from collections.abc import Callable
from typing import cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import ResolverMatch, reverse
from django.utils import translation
from django.utils.http import urlencode

from accounts.selectors import has_authenticator, second_factor_pending
from responses.presence import HeartbeatHttpRequest, presence_grant_of

# What a signed-in person may open before passing the second factor.
OPEN_BEFORE_SECOND_FACTOR = {
    "login",
    "logout",
    "set_language",
    "accounts:language",
    "accounts:two_factor_verify",
    "accounts:two_factor_setup",
    "accounts:invitation_accept",
    # The recovery links exist for people who cannot pass it.
    "accounts:two_factor_recover",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}


# The presence heartbeat answers from the cache without loading the user, on a grant issued once
# the second factor was checked (responses/presence.py): a heartbeat holding one passes unchecked.
# The grant is looked up here, once, and handed to the view as request.presence_grant.
PRESENCE_HEARTBEAT = "responses:presence"


class TwoFactorRequiredMiddleware:
    """With TWO_FACTOR_REQUIRED on, a password alone opens nothing: the person is sent to type a
    code from their authenticator (or a backup code), or to set one up if they have none yet.
    Installed after django-otp's OTPMiddleware, which tells whether the session passed it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        # process_view runs once the URL is resolved: resolver_match is set.
        if cast(ResolverMatch, request.resolver_match).view_name == PRESENCE_HEARTBEAT:
            # The same request object: typed as the heartbeat's, which carries the grant set here.
            heartbeat = cast(HeartbeatHttpRequest, request)
            heartbeat.presence_grant = (
                presence_grant_of(session_key=request.session.session_key, response_id=view_kwargs["pk"])
                if request.method == "POST"
                else None  # presence_grant_of itself answers None for a session without a key
            )
            if heartbeat.presence_grant is not None:
                return None
        return second_factor_redirect(request)


def second_factor_redirect(request: HttpRequest) -> HttpResponse | None:
    """Where a signed-in person who has not passed the second factor is sent; None once passed
    (or on the pages open before it)."""
    if not second_factor_pending(request.user):
        return None
    # Called once the URL is resolved (process_view): resolver_match is set.
    if cast(ResolverMatch, request.resolver_match).view_name in OPEN_BEFORE_SECOND_FACTOR:
        return None
    target = "accounts:two_factor_verify" if has_authenticator(request.user) else "accounts:two_factor_setup"
    return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


# The signed-in person's language, copied from their account at sign-in and when they choose
# one: read from the session, so that no request loads the user only to know its language.
PREFERRED_LANGUAGE_SESSION_KEY = "preferred_language"


def supported_language(code: str | None) -> str | None:
    return code if code in dict(settings.LANGUAGES) else None


class PreferredLanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware (language cookie, then the browser's Accept-Language), with the
    signed-in person's own choice first."""

    def process_request(self, request: HttpRequest) -> None:
        preferred = supported_language(request.session.get(PREFERRED_LANGUAGE_SESSION_KEY))
        if preferred is None:
            super().process_request(request)
            return
        translation.activate(preferred)
        request.LANGUAGE_CODE = translation.get_language()
