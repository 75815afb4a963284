"""The one harness of the generated permission matrices: every URL of a namespace x role x GET and
POST, requested as each person, compared with what the test expects.

Each test module states its expectations as a table; `unlisted` proves the table names every URL
of the namespace (a new URL without an expectation fails), and `matrix_mismatches` runs it.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.test import Client
from django.urls import get_resolver, reverse

METHODS = ("GET", "POST")
# (url name, method, role) -> the status that role must get.
Expected = Callable[[str, str, str], int]


def url_names(namespace: str) -> list[str]:
    _, resolver = get_resolver().namespace_dict[namespace]
    return [pattern.name for pattern in resolver.url_patterns]


def unlisted(namespace: str, listed: set[tuple[str, str]] | Mapping[tuple[str, str], Any]) -> list[str]:
    """What the table leaves out (a URL and method of the namespace it has no row for) and what it
    holds that the namespace no longer has: both must be empty."""
    names = url_names(namespace)
    missing = [f"add {name} {method}" for name in names for method in METHODS if (name, method) not in listed]
    stale = [f"remove {name} {method}" for name, method in listed if name not in names]
    return missing + stale


def by_column(table: Mapping[tuple[str, str], tuple[int, ...]], roles: list[str]) -> Expected:
    """A table whose rows hold one status per role, in the order of ``roles``."""
    return lambda name, method, role: table[(name, method)][roles.index(role)]


def matrix_mismatches(
    client: Client,
    namespace: str,
    expected: Expected | Mapping[tuple[str, str], tuple[int, ...]],
    people: dict[str, Any],
    kwargs_for: Callable[[str, list[str]], dict[str, Any]],
    *,
    data_for: Callable[[str], dict[str, Any]] = lambda name: {},
    query_for: Callable[[str], str] = lambda name: "",
) -> list[str]:
    """Requests every URL of ``namespace`` as each of ``people`` (None: anonymous), each in a
    rolled-back transaction, so that a POST that changes something (a submission, a return)
    does not change the next case; returns what differed from ``expected``. A table of tuples
    is read in the order of ``people``."""
    if isinstance(expected, Mapping):
        expected = by_column(expected, list(people))
    _, resolver = get_resolver().namespace_dict[namespace]
    mismatches = []
    for pattern in resolver.url_patterns:
        name = pattern.name
        url = reverse(f"{namespace}:{name}", kwargs=kwargs_for(name, list(pattern.pattern.converters)))
        url += query_for(name)
        for method in METHODS:
            for role, person in people.items():
                with transaction.atomic():
                    client.logout()
                    if person is not None:
                        client.force_login(person)
                    got = (
                        client.get(url) if method == "GET" else client.post(url, data_for(name))
                    ).status_code
                    transaction.set_rollback(True)
                status = expected(name, method, role)
                if got != status:
                    mismatches.append(f"{method} {name} as {role}: expected {status}, got {got}")
    return mismatches
