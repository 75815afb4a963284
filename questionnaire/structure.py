"""The questionnaire's structure (questions, fields, options), read once per process.

Every page and every save of a response needs the questions with their fields and options. They
change only when a definition is loaded or a coordinator edits them in the admin, yet reading
them cost six queries and 13 ms per autosave, three times over. Each process keeps one copy per
questionnaire, tagged with a stamp kept in the shared cache (Redis in the full stack); loading a
definition or changing the setup in the admin sets a new stamp, and every process reads the
structure again within STAMP_RECHECK_SECONDS (2 s). Without a stamp (a new or emptied cache) a
process reads afresh once; with the cache down it reads on every request, slower but never stale.

The objects handed out are shared between requests: read them, never change them.
"""

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import cast

from django.core.cache import cache

from questionnaire.models import Field, Question, Taxonomy
from questionnaire.selectors import questions_of_questionnaire

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class QuestionnaireStructure:
    questionnaire_id: int
    questions: list[Question]
    fields_by_key: dict[str, Field] = field(default_factory=dict)
    # Option keys by taxonomy id, to check a choice without reading the options again. Looked up
    # by a field's taxonomy_id, None for a field without a taxonomy (never a key).
    option_keys: dict[int | None, frozenset[str]] = field(default_factory=dict)
    question_number_of_field: dict[str, int] = field(default_factory=dict)


# How long a process trusts the stamp it last read before asking the cache again: a change
# reaches every process within this time, and a request mostly needs no cache round trip.
STAMP_RECHECK_SECONDS = 2.0

_lock = threading.Lock()
_by_questionnaire: dict[int, tuple[str, QuestionnaireStructure]] = {}
_stamp_read_at: dict[int, tuple[float, str]] = {}


def _stamp_key(questionnaire_id: int) -> str:
    return f"questionnaire:structure-stamp:{questionnaire_id}"


def _current_stamp(questionnaire_id: int) -> str | None:
    """The shared stamp, set now if there is none; None when the cache cannot be reached."""
    with _lock:
        recent = _stamp_read_at.get(questionnaire_id)
    if recent is not None and time.monotonic() - recent[0] < STAMP_RECHECK_SECONDS:
        return recent[1]
    try:
        stamp = cache.get(_stamp_key(questionnaire_id))
        if stamp is None:
            cache.add(_stamp_key(questionnaire_id), uuid.uuid4().hex, timeout=None)
            stamp = cache.get(_stamp_key(questionnaire_id))
    except Exception:  # The cache being down costs speed, never correctness.
        logger.warning("questionnaire structure stamp unavailable: reading from the database", exc_info=True)
        return None
    with _lock:
        _stamp_read_at[questionnaire_id] = (time.monotonic(), stamp)
    return stamp


def _read(questionnaire_id: int) -> QuestionnaireStructure:
    questions = list(questions_of_questionnaire(questionnaire_id))
    fields = {f.key: f for q in questions for f in q.fields.all()}
    option_keys: dict[int | None, frozenset[str]] = {}
    for f in fields.values():
        if f.taxonomy_id is not None and f.taxonomy_id not in option_keys:
            taxonomy = cast(Taxonomy, f.taxonomy)  # it has a taxonomy_id
            option_keys[f.taxonomy_id] = frozenset(o.key for o in taxonomy.options.all())
    return QuestionnaireStructure(
        questionnaire_id=questionnaire_id,
        questions=questions,
        fields_by_key=fields,
        option_keys=option_keys,
        question_number_of_field={f.key: q.number for q in questions for f in q.fields.all()},
    )


def questionnaire_structure(questionnaire_id: int) -> QuestionnaireStructure:
    stamp = _current_stamp(questionnaire_id)
    if stamp is not None:
        with _lock:
            held = _by_questionnaire.get(questionnaire_id)
        if held is not None and held[0] == stamp:
            return held[1]
    structure = _read(questionnaire_id)
    if stamp is not None:
        with _lock:
            _by_questionnaire[questionnaire_id] = (stamp, structure)
    return structure


def questionnaire_structure_changed(questionnaire_id: int) -> None:
    """Tells every process to read the questionnaire's structure again."""
    with _lock:
        _by_questionnaire.pop(questionnaire_id, None)
        _stamp_read_at.pop(questionnaire_id, None)
    try:
        cache.set(_stamp_key(questionnaire_id), uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.warning("questionnaire structure stamp not renewed", exc_info=True)


def structure_cache_clear() -> None:
    """Forgets this process's copies (tests: a rolled-back database reuses primary keys)."""
    with _lock:
        _by_questionnaire.clear()
        _stamp_read_at.clear()
