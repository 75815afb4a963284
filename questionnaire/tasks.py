"""Celery entry points for questionnaires: thin wrappers that call the loader."""

from typing import Any

from celery import shared_task

from questionnaire.loader import DEFINITIONS_DIR, DefinitionError, questionnaire_load


@shared_task(name="questionnaire.load_definition")
def load_definition(definition_name: str) -> dict[str, Any]:
    """Loads one of the shipped definition files by its file name (never an arbitrary path: a
    task's arguments cross the broker). Safe to run twice: the loader is idempotent."""
    path = (DEFINITIONS_DIR / definition_name).resolve()
    if path.parent != DEFINITIONS_DIR or path.suffix != ".yaml" or not path.is_file():
        raise DefinitionError(path=definition_name, message="no such definition file is shipped")
    report = questionnaire_load(path=path)
    return {
        "questionnaire": report.questionnaire.key,
        "created": report.created,
        "changes": report.changes,
    }
