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
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not SQLite's in-memory test database: threads each open their own connection, and
    # only a file lets them wait for one another (tests/faults/test_concurrent_autosaves_http.py)
    # the way `make run` does, instead of failing at once on the shared in-memory cache's locks.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "db-test.sqlite3")}
