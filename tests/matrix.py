"""The generated permission matrices: every URL of a namespace x role x GET and POST."""

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.test import Client
from django.urls import get_resolver, reverse


def url_names(namespace: str) -> list[str]:
    _, resolver = get_resolver().namespace_dict[namespace]
    return [pattern.name for pattern in resolver.url_patterns]


def matrix_mismatches(
    client: Client,
    namespace: str,
    expected: dict[tuple[str, str], tuple[int, ...]],
    people: dict[str, Any],
    kwargs_for: Callable[[str, list[str]], dict[str, Any]],
) -> list[str]:
    """Requests every URL of ``namespace`` as each of ``people`` (None: anonymous), in the order
    of ``expected``'s tuples, each in a rolled-back transaction; returns what differed. The
    caller first asserts that ``expected`` names every URL (see ``url_names``)."""
    _, resolver = get_resolver().namespace_dict[namespace]
    mismatches = []
    for pattern in resolver.url_patterns:
        url = reverse(
            f"{namespace}:{pattern.name}", kwargs=kwargs_for(pattern.name, list(pattern.pattern.converters))
        )
        for method in ("GET", "POST"):
            for role, status in zip(people, expected[(pattern.name, method)], strict=True):
                with transaction.atomic():
                    client.logout()
                    if people[role]:
                        client.force_login(people[role])
                    got = (client.get(url) if method == "GET" else client.post(url, {})).status_code
                    transaction.set_rollback(True)
                if got != status:
                    mismatches.append(f"{method} {pattern.name} as {role}: expected {status}, got {got}")
    return mismatches
