#!/usr/bin/env bash
# Serves the app for `make run`. Without REDIS_URL, Celery tasks run eagerly inside the web
# process, so runserver is all there is. With REDIS_URL, a worker and beat run beside it and stop
# with it.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

if [ -n "${REDIS_URL:-}" ]; then
  echo "Using Redis at ${REDIS_URL}: starting a Celery worker and beat."
  "$VENV/bin/celery" -A config worker --loglevel=INFO --concurrency=2 &
  worker=$!
  "$VENV/bin/celery" -A config beat --loglevel=INFO &
  beat=$!
  trap 'kill "$worker" "$beat" 2>/dev/null || true' EXIT INT TERM
else
  echo "REDIS_URL is not set: background tasks run eagerly in the web process."
fi
echo "Database: ${DATABASE_URL:-SQLite (db.sqlite3)}"
echo "Demo accounts' password: ${DEMO_PASSWORD:-(as seeded)}"
"$VENV/bin/python" manage.py runserver 127.0.0.1:8000
