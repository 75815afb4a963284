"""How versions are stored: full snapshots at fixed points, deltas in between.

A draft save usually changes one field, often a long text by a few characters. Storing the whole
response each time (2 KB and more) made a week of autosaves cost as much as a thousand full
copies; a delta stores the changed fields, and a text changed in one place stores only the
changed span. The decision and its figures: docs/decisions/0004-version-deltas.md.

Plain functions over plain dicts: the service writes with `answers_delta`, the selectors rebuild
with `delta_apply`.
"""

from typing import Any

# A snapshot every SNAPSHOT_EVERY versions (numbers 1, 51, 101, ...), so rebuilding any version
# reads at most that many rows, whatever the length of the history.
SNAPSHOT_EVERY = 50
# Texts shorter than this are stored whole: a span edit saves nothing on them.
TEXT_EDIT_MIN_LENGTH = 80


def is_snapshot_number(number: int) -> bool:
    return number % SNAPSHOT_EVERY == 1


def snapshot_floor(number: int) -> int:
    """The number of the fixed snapshot at or before version `number`."""
    return number - ((number - 1) % SNAPSHOT_EVERY)


def _text_edit(old: str, new: str) -> list[Any] | None:
    """`[start, end, text]` such that old[:start] + text + old[end:] == new, when that is
    shorter than the new text: typing changes one place of a text at a time."""
    if len(new) < TEXT_EDIT_MIN_LENGTH:
        return None
    limit = min(len(old), len(new))
    start = 0
    while start < limit and old[start] == new[start]:
        start += 1
    tail = 0
    while tail < limit - start and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    inserted = new[start : len(new) - tail]
    if len(inserted) + 16 >= len(new):
        return None
    return [start, len(old) - tail, inserted]


def answers_delta(
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    metadata_before: dict[str, Any],
    metadata_after: dict[str, Any],
) -> dict[str, Any]:
    """What turns `before` into `after`, in the shape `delta_apply` reads."""
    delta: dict[str, Any] = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if new is None:
            delta.setdefault("unset", []).append(key)
            continue
        edit = _text_edit(old, new) if isinstance(old, str) and isinstance(new, str) else None
        if edit is not None:
            delta.setdefault("edit", {})[key] = edit
        else:
            delta.setdefault("set", {})[key] = new
    if metadata_before != metadata_after:
        delta["metadata"] = metadata_after
    return delta


def delta_apply(answers: dict[str, Any], metadata: dict[str, Any], delta: dict[str, Any]) -> None:
    """Applies one version's delta in place."""
    for key in delta.get("unset", ()):
        answers.pop(key, None)
    answers.update(delta.get("set", {}))
    for key, (start, end, text) in delta.get("edit", {}).items():
        old = answers.get(key) or ""
        answers[key] = old[:start] + text + old[end:]
    if "metadata" in delta:
        metadata.clear()
        metadata.update(delta["metadata"])
