"""Settings for the test suite: the same as local, with a fast password hasher.

DATABASE_URL and REDIS_URL still come from the environment, so CI runs the suite on the real
PostgreSQL and Redis, and a laptop without them on SQLite with eager tasks.
"""

from .local import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Close connections after each request and task, so that the real-worker tests leave no
# connection open when pytest-django drops the test database.
DATABASES["default"]["CONN_MAX_AGE"] = 0
