"""Which values saved answers hold, asked by the loader and the admin before they change a field
or an option: an answer's meaning must never change under it.

The questionnaire knows nothing of who answers (responses/ is above it), so the app that stores
answers registers its reader here when it starts (responses/apps.py), and the questionnaire asks
through this module. With no reader registered the check cannot be made, and it refuses rather
than let a change through unchecked.
"""

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from questionnaire.answers import chosen_option_keys
from questionnaire.models import Field

# Every saved value (any version, draft or submitted) of the given fields, by field key.
AnswerValuesReader = Callable[[list[Field]], dict[str, list[Any]]]

_readers: dict[str, AnswerValuesReader] = {}


def answer_values_reader_register(name: str, reader: AnswerValuesReader) -> None:
    _readers[name] = reader


def answer_values_for_fields(fields: list[Field]) -> dict[str, list[Any]]:
    """What every registered store holds for these fields, by field key."""
    if not _readers:
        raise ImproperlyConfigured(
            "No app that stores answers has registered its reader (questionnaire.usage)."
        )
    values: dict[str, list[Any]] = defaultdict(list)
    for reader in _readers.values():
        for key, held in reader(fields).items():
            values[key].extend(held)
    return values


def option_keys_in_use(taxonomy_id: int) -> dict[str, int]:
    """How many saved values (any version) choose each option of a taxonomy, by option key: an
    option that answers use keeps its key and label (what a submitted answer means) and stays."""
    fields = list(Field.objects.filter(taxonomy_id=taxonomy_id))
    counts: dict[str, int] = defaultdict(int)
    for values in answer_values_for_fields(fields).values():
        for value in values:
            for key in chosen_option_keys(value):
                counts[key] += 1
    return dict(counts)
