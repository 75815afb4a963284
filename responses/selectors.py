"""Reads over responses. Anything a user sees goes through a selector scoped to that user."""

from collections import defaultdict
from typing import Any

from questionnaire.models import Field
from responses.models import ResponseVersion


def answer_values_for_fields(fields: list[Field]) -> dict[str, list[Any]]:
    """Every saved value (any version, draft or submitted) of the given fields, by field key.

    Used by the questionnaire loader to refuse changes that would orphan answers; it is not for
    display, which must respect who may see drafts.
    """
    values: dict[str, list[Any]] = defaultdict(list)
    if not fields:
        return values
    keys = [f.key for f in fields]
    questionnaire_ids = {f.questionnaire_id for f in fields}
    versions = ResponseVersion.objects.filter(
        response__round__questionnaire_id__in=questionnaire_ids,
        answers__has_any_keys=keys,
    ).values_list("answers", flat=True)
    for answers in versions.iterator():
        for key in keys:
            if key in answers and answers[key] not in (None, "", [], {}):
                values[key].append(answers[key])
    return values
