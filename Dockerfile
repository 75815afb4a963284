# The image for web, worker and beat (docker-compose.yml). Front-end assets are vendored under
# static/, so the build needs PyPI only.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# WeasyPrint renders the PDF reports with Pango and HarfBuzz; pg_dump and pg_restore make backups.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-noto-core fonts-noto-cjk postgresql-client \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 app
# What the app runs with only: the tests and tools (requirements-dev.txt) stay out of the image.
COPY requirements.txt .
RUN pip install -r requirements.txt
# The code belongs to root: the app user reads it and can change none of it.
COPY . .
# The translations are compiled here from their .po files (the .mo files are never committed).
RUN python scripts/compile_messages.py
# collectstatic needs a key to import the production settings; this one is thrown away with the layer.
RUN SECRET_KEY=collectstatic-only DJANGO_SETTINGS_MODULE=config.settings.production \
    python manage.py collectstatic --noinput
USER app
EXPOSE 8000
# Workers, access log and the metrics of several workers: config/gunicorn.py.
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"]
