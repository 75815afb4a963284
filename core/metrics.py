"""Prometheus metrics at /metrics: django-prometheus's request, response and latency figures of
the web processes, plus the Celery queue and its task outcomes.

Several processes, one answer. gunicorn runs several workers and compose several containers, and
a scrape reaches one process of one of them. Under gunicorn the web figures are kept in
prometheus_client's multiprocess files (PROMETHEUS_MULTIPROC_DIR, config/gunicorn.py), so any
worker answers for all of its container's workers. The Celery figures are not the web's to count:
the queue length is read from the broker at each scrape, and task outcomes are counted in Redis
by the worker that ran the task (the task_failure and task_success signals below), so every web
process reports the same totals whatever worker ran what.

Who may read them. The figures tell an outsider how busy the ministries are and when, so the
endpoint answers only a request bearing METRICS_TOKEN (Authorization: Bearer ...) or one made
directly, not through a proxy, from METRICS_ALLOWED_NETWORKS (loopback by default). Anyone else
gets the site's ordinary 404.
"""

import hmac
import ipaddress
import logging
import os
from collections.abc import Callable, Iterator
from typing import cast

import prometheus_client
import redis
from celery import signals
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from core.cache import redis_for

logger = logging.getLogger(__name__)

METRICS_PATH = "/metrics"
TASK_OUTCOMES_KEY = "metrics:celery:tasks:{outcome}"  # a Redis hash: task name -> count
OUTCOMES = ("succeeded", "failed")
# Headers a reverse proxy adds: a request through one comes from the proxy's address, which may
# well be loopback, so the address alone proves nothing.
PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def _redis() -> redis.Redis | None:
    if not settings.REDIS_URL:
        return None
    return redis_for(settings.REDIS_URL, timeout=1)


def task_outcome_count(*, task_name: str, outcome: str) -> None:
    """Counts one finished task; a Redis that does not answer costs the count, never the task."""
    client = _redis()
    if client is None:
        return
    try:
        client.hincrby(TASK_OUTCOMES_KEY.format(outcome=outcome), task_name, 1)
    except redis.RedisError:
        logger.warning("metrics: could not count a %s task %s", outcome, task_name, exc_info=True)


@signals.task_success.connect
def _count_success(sender=None, **_kwargs) -> None:
    task_outcome_count(task_name=sender.name, outcome="succeeded")


@signals.task_failure.connect
def _count_failure(sender=None, **_kwargs) -> None:
    task_outcome_count(task_name=sender.name, outcome="failed")


class CeleryCollector(Collector):
    """Read at each scrape: the waiting and taken-but-unfinished tasks, and task outcomes."""

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        client = _redis()
        if client is None:  # tasks run eagerly in the web process: there is no queue
            return
        queue = settings.CELERY_TASK_DEFAULT_QUEUE
        up = GaugeMetricFamily("celery_broker_up", "1 if the broker answered this scrape")
        reads = client.pipeline(transaction=False)  # one round trip for the scrape
        reads.llen(queue)
        # acks_late (base.py): a task a worker has taken stays in "unacked" until it ends.
        reads.hlen("unacked")
        for outcome in OUTCOMES:
            reads.hgetall(TASK_OUTCOMES_KEY.format(outcome=outcome))
        try:
            waiting, unacked, *counts = reads.execute()
        except redis.RedisError:
            logger.warning("metrics: the broker does not answer", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        outcomes = dict(zip(OUTCOMES, counts, strict=True))
        up.add_metric([], 1)
        yield up
        length = GaugeMetricFamily("celery_queue_length", "Tasks waiting in the queue", labels=["queue"])
        length.add_metric([queue], waiting)
        yield length
        taken = GaugeMetricFamily("celery_tasks_unacked", "Tasks a worker has taken and not finished")
        taken.add_metric([], unacked)
        yield taken
        for outcome in OUTCOMES:
            family = CounterMetricFamily(
                f"celery_tasks_{outcome}", f"Celery tasks that {outcome}, by task", labels=["task"]
            )
            for name, count in sorted(outcomes[outcome].items()):
                # The client does not decode responses (_redis): the hash's keys are bytes.
                family.add_metric([cast(bytes, name).decode()], int(count))
            yield family


def metrics_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if given and hmac.compare_digest(given.encode(), token.encode()):
            return True
    if any(header in request.META for header in PROXY_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net) for net in settings.METRICS_ALLOWED_NETWORKS)


def _registry() -> prometheus_client.CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = prometheus_client.CollectorRegistry()
        registry.register(_ProcessMetrics())
    registry.register(CeleryCollector())
    return registry


class _ProcessMetrics(Collector):
    """The single process's own registry (runserver, tests): django-prometheus's figures."""

    def collect(self):
        yield from prometheus_client.REGISTRY.collect()


class MetricsEndpointMiddleware:
    """Answers /metrics before the https redirect and the Host check, like the health probes
    (core/health.py): a scraper on the internal network asks http://web:8000/metrics."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != METRICS_PATH:
            return self.get_response(request)
        if not metrics_allowed(request):
            return self.get_response(request)  # the site's own 404, as for any unknown address
        if request.method not in ("GET", "HEAD"):
            return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
        response = HttpResponse(
            prometheus_client.generate_latest(_registry()), content_type=prometheus_client.CONTENT_TYPE_LATEST
        )
        response["Cache-Control"] = "no-store"
        return response
