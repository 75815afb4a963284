"""The embedded default for a developer's machine: `make run` with nothing configured."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
# A development key only while DEBUG is on; production.py refuses to start without a real one.
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-local-development-only-key-0123456789")
if not DEBUG and SECRET_KEY.startswith("django-insecure-"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
DEMO_NOTICE = env.bool("DEMO_NOTICE", default=True)
# The local demo signs in with a password only, so that `make run` works without a phone.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=False)
