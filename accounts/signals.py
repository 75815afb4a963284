from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.middleware import PREFERRED_LANGUAGE_SESSION_KEY, supported_language
from accounts.models import User


@receiver(user_logged_in)
def preferred_language_remember(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """From sign-in on, the account's language decides, over the browser's."""
    if request is not None and (language := supported_language(user.language)):
        request.session[PREFERRED_LANGUAGE_SESSION_KEY] = language
