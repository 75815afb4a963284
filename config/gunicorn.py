"""gunicorn's settings for the image (Dockerfile, docker-compose.yml): gunicorn -c config/gunicorn.py.

Metrics of several workers. prometheus_client keeps each worker's figures in files under
PROMETHEUS_MULTIPROC_DIR, so that a scrape answered by any worker reports all of them
(core/metrics.py). The directory is emptied when gunicorn starts, since figures left by an
earlier run would be counted again, and a worker that exits has its live gauges dropped. It is
set here, for gunicorn's processes only: prometheus_client reads it when first imported, which
gunicorn's master does not do before forking (no preload), and the Celery containers, which
count in Redis instead (core/metrics.py), keep the single-process mode.
"""

import os
import shutil
from pathlib import Path

os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", "/tmp/prometheus-metrics")  # noqa: S108 (per container)

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
# The access log goes to stdout with each request's id (django-guid's X-Request-ID response header).
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'


def on_starting(server) -> None:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
