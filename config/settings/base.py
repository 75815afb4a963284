"""Settings shared by every mode. Everything that differs between machines comes from the
environment (see `.env.example`); the modules `local`, `test` and `production` only change defaults.
"""

from pathlib import Path
from typing import Any

import environ
from django_guid.integrations import CeleryIntegration

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A developer's own `.env` (never committed) is read if present; real environment variables win.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Before the admin, as it asks: the questionnaire's texts in every language.
    "modeltranslation",
    # Django's admin, on a site that applies our own rules (coordinators only, second factor).
    "accounts.admin_site.AlliedAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # whitenoise serves static files in development too, so that runserver behaves like production.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_prometheus",
    "django_guid",
    "accounts",
    "audit",
    "core",
    "questionnaire",
    "responses",
    "reports",
    "coordination",
]

MIDDLEWARE = [
    # /healthz and /readyz, answered before the https redirect and the Host check (core/health.py).
    "core.health.HealthCheckMiddleware",
    # /metrics, for an allowed network or a token only, also before the redirect (core/metrics.py).
    "core.metrics.MetricsEndpointMiddleware",
    # Each request's id (X-Request-ID), in its log lines and in the Celery tasks it enqueues.
    "django_guid.middleware.guid_middleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's LocaleMiddleware, with a signed-in person's chosen language first.
    "accounts.middleware.PreferredLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Sends a signed-in person who has not passed the second factor to it (or to enrolment).
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "core.middleware.SessionActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site_chrome",
            ],
        },
    },
]

# SQLite file under the project unless DATABASE_URL names another database.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Reuse connections, but check them first so that a restarted PostgreSQL costs no failed request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has one writer at a time and ignores select_for_update. A save reads the draft and
    # then writes; in a default (deferred) transaction a second writer cannot upgrade its read
    # lock and fails at once with "database is locked", busy timeout or not. BEGIN IMMEDIATE
    # takes the write lock first, so concurrent saves queue (up to `timeout` seconds) and then
    # merge or conflict as on PostgreSQL. WAL lets pages read while a save writes; with WAL,
    # synchronous=NORMAL stays safe against corruption (a power cut may lose the last commits).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out account is refused before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: after AXES_FAILURE_LIMIT failed attempts for one username from one address the
# account is locked for AXES_COOLOFF_TIME hours, or until a coordinator lifts it (admin or
# `python manage.py axes_reset_username NAME`).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Sessions end after this much inactivity (seconds); drafts are autosaved, so nothing is lost.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
# Read from the cache (no query per request), kept in the database (nothing lost with Redis).
SESSION_ENGINE = "core.sessions"
# The expiry moves forward at most this often (one session write a minute, not one a request).
SESSION_RENEW_SECONDS = env.int("SESSION_RENEW_SECONDS", default=60)

# Two-factor sign-in (TOTP app + backup codes) for every account. Only the local demo turns it
# off; a system check warns when production runs without it.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=True)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Allied Responses")
# Nobody, superusers included, reads an authenticator's secret in the admin.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Backup codes handed out at enrolment; each works once.
TWO_FACTOR_BACKUP_CODES = 10
# An invitation link works once and for this many hours.
INVITATION_VALID_HOURS = env.int("INVITATION_VALID_HOURS", default=72)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
# Each language in its own name, as the switcher shows it. Adding one takes a catalogue in
# locale/ and, optionally, definition texts: nothing else.
LANGUAGES = [("en", "English"), ("fr", "Français"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
# The questionnaire's texts (questionnaire/translation.py): English is required, a missing
# translation shows the English text.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery: Redis is both broker and result store when REDIS_URL is set; without it (the embedded
# default) tasks run eagerly inside the web process, so `make run` needs no other service.
REDIS_URL: str | None = env.str("REDIS_URL", default=None)
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
# The cache holds short-lived shared state (who has a response open now), so with several web
# processes it must be Redis; the embedded default keeps it in process memory.
CACHES = {
    "default": (
        {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that hangs instead of refusing must not hang autosave (rate limit, presence).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

CELERY_TASK_DEFAULT_QUEUE = "celery"  # Celery's own default, named for the queue-length metric
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TIMEZONE = TIME_ZONE
# Tasks are written to be idempotent, so a task is acknowledged only once it finished: a worker
# killed mid-task leaves it on the queue for another worker instead of losing it.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=5 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=6 * 60)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    # Fails reports whose worker died mid-build and re-enqueues those the broker missed.
    "reports-sweep": {"task": "reports.sweep", "schedule": 120.0},
    # Idempotent: each reminder is recorded before it is sent and never sent twice.
    "deadline-reminders": {"task": "coordination.deadline_reminders", "schedule": 15 * 60.0},
}
# Automatic reminders this many days before a round's deadline, to countries without a submission.
DEADLINE_REMINDER_DAYS: list[int] = [
    int(d) for d in env.list("DEADLINE_REMINDER_DAYS", default=["7", "2", "1"])
]

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="allied-responses@localhost")
# A password recovery link works once (it is bound to the password it replaces) and for this long.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=2 * 3600)
PASSWORD_RESETS_PER_WINDOW = 5  # requests per client address per 10 minutes

# Rate limits on the costliest endpoints, counted in the database (they hold without Redis).
REPORT_REQUESTS_PER_WINDOW = env.int("REPORT_REQUESTS_PER_WINDOW", default=10)
REPORT_REQUESTS_WINDOW_MINUTES = env.int("REPORT_REQUESTS_WINDOW_MINUTES", default=10)
DOWNLOADS_PER_WINDOW = env.int("DOWNLOADS_PER_WINDOW", default=60)
DOWNLOADS_WINDOW_MINUTES = env.int("DOWNLOADS_WINDOW_MINUTES", default=10)
# Autosave is far more frequent (every few seconds of typing), so it is counted in the cache
# instead (core/ratelimit.py), and lets saves through when the cache is down.
AUTOSAVES_PER_WINDOW = env.int("AUTOSAVES_PER_WINDOW", default=120)
AUTOSAVE_WINDOW_SECONDS = env.int("AUTOSAVE_WINDOW_SECONDS", default=60)

# The notice that demo responses are invented is shown on every page while this is on.
DEMO_NOTICE = env.bool("DEMO_NOTICE", default=False)

# A strict Content Security Policy: every script and style comes from our own static files
# (no inline script, no inline style attribute, nothing from elsewhere).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Error pages (the DEBUG page included), e-mails and reports never show posted answers.
DEFAULT_EXCEPTION_REPORTER_FILTER = "core.error_reports.AnswersHiddenExceptionReporterFilter"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Each request gets an id (django-guid): taken from a proxy's X-Request-ID when it is a UUID,
# else made here; sent back in the response, put on every log line of the request, and carried
# in the headers of the Celery tasks it enqueues, whose log lines then carry it too.
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": False,
    "INTEGRATIONS": [CeleryIntegration(use_django_logging=True, log_parent=True)],
}

# Plain lines for a developer; JSON lines (LOG_FORMAT=json, production's default) for a log
# collector, each with the request id and, in a worker, the task's own and its parent's ids.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING: dict[str, Any] = {  # a nested dict; production.py sets a handler's formatter in it
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "django_guid.log_filters.CorrelationId", "correlation_id_field": "request_id"},
        "task_ids": {"()": "django_guid.integrations.celery.log_filters.CeleryTracing"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": (
                "%(asctime)s %(levelname)s %(name)s %(message)s"
                " %(request_id)s %(celery_current_id)s %(celery_parent_id)s"
            ),
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "task_ids"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint and fontTools narrate every step of a PDF at INFO.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # It logs each id it makes or takes at INFO.
        "django_guid": {"level": "WARNING"},
    },
}

# Prometheus metrics at /metrics (core/metrics.py): a request from these networks, made directly
# rather than through a proxy, or one with "Authorization: Bearer <METRICS_TOKEN>".
METRICS_ALLOWED_NETWORKS: list[str] = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128"])
METRICS_TOKEN: str = env.str("METRICS_TOKEN", default="")
