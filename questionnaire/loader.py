"""Reads a questionnaire definition file into the database.

Parsing and every check happen before the first write, and the writes run in one transaction, so
a bad file leaves the database as it was. Loading the same file twice changes nothing; a changed
file updates what changed, and refuses to remove or retype a field that already has answers.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, cast

import yaml
from django.db import transaction
from django.utils import timezone
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from audit.models import AuditEvent
from audit.services import audit_record
from questionnaire.answers import chosen_option_keys, declaration
from questionnaire.definition import LANGUAGE_CODES, DefinitionFile, FieldDef
from questionnaire.meaning import option_change_problems
from questionnaire.models import Field, Option, Question, Questionnaire, Round, Taxonomy
from questionnaire.structure import questionnaire_structure_changed
from questionnaire.usage import answer_values_for_fields

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"

KeyPath = tuple[str | int, ...]


class DefinitionError(Exception):
    """A definition file that cannot be loaded: says which file, where, and what is wrong.

    The only positional argument is the whole message, so the error survives Celery's JSON
    serialisation of exceptions (which re-creates it from its args)."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        key_path: KeyPath = (),
        line: int | None = None,
    ):
        self.path = str(path) if path is not None else None
        self.key_path = key_path
        self.line = line
        self.message = message
        where = [self.path] if self.path else []
        if line is not None:
            where.append(f"line {line}")
        if key_path:
            where.append(format_key_path(key_path))
        super().__init__(": ".join([*where, message]))


def format_key_path(key_path: KeyPath) -> str:
    text = ""
    for part in key_path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@dataclass
class LoadReport:
    questionnaire: Questionnaire
    created: bool
    changes: list[str] = field(default_factory=list)
    # By language, the texts the file gives in English only (they show in English there).
    untranslated: dict[str, list[str]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return self.created or bool(self.changes)


# ---------------------------------------------------------------------------------------------
# Parsing and checking (no database writes)


def _line_of(root: yaml.Node | None, key_path: KeyPath) -> int | None:
    """The 1-based line of the deepest node of `key_path` that exists in the YAML tree."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for part in key_path:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            if match is None:
                # A missing key: point at the key named `part` if it is a mapping key, else parent.
                break
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
        line = node.start_mark.line + 1
    return line


def _describe_pydantic_error(error: ErrorDetails) -> str:
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        return "unknown key (check its spelling)"
    if error["type"] == "missing":
        return "required key is missing"
    if isinstance(error.get("input"), bool) and error["type"].startswith("string"):
        # YAML 1.1 reads unquoted yes/no/on/off as booleans.
        message += ' (YAML reads unquoted yes/no/on/off as true/false: put it in quotes, e.g. "yes")'
    return message


def definition_parse(path: Path | str) -> DefinitionFile:
    """Reads and checks a definition file; raises DefinitionError naming the place of the first
    problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(f"cannot read the file ({exc})", path=path) from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise DefinitionError(
            f"not valid YAML: {problem}", path=path, line=mark.line + 1 if mark else None
        ) from exc
    if not isinstance(raw, dict):
        raise DefinitionError("the file must hold a YAML mapping", path=path, line=1)
    try:
        definition = DefinitionFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key_path = tuple(first["loc"])
        more = exc.error_count() - 1
        message = _describe_pydantic_error(first)
        if more:
            message += f" (and {more} more problem{'s' if more > 1 else ''})"
        raise DefinitionError(message, path=path, key_path=key_path, line=_line_of(root, key_path)) from exc
    _check_references(definition, path=path, root=root)
    return definition


def _check_references(definition: DefinitionFile, *, path: Path, root: yaml.Node | None) -> None:
    """Checks what the schema cannot: uniqueness and references between parts of the file."""

    def fail(key_path: KeyPath, message: str) -> NoReturn:
        raise DefinitionError(path=path, key_path=key_path, line=_line_of(root, key_path), message=message)

    for tax_key, taxonomy in definition.taxonomies.items():
        seen: set[str] = set()
        for i, option in enumerate(taxonomy.options):
            if option.key in seen:
                fail(("taxonomies", tax_key, "options", i, "key"), f"duplicate option key '{option.key}'")
            seen.add(option.key)

    round_keys: set[str] = set()
    for i, round_def in enumerate(definition.rounds):
        if round_def.key in round_keys:
            fail(("rounds", i, "key"), f"duplicate round key '{round_def.key}'")
        round_keys.add(round_def.key)

    question_keys: set[str] = set()
    numbers: set[int] = set()
    fields_seen: dict[str, FieldDef] = {}
    for qi, question in enumerate(definition.questions):
        if question.key in question_keys:
            fail(("questions", qi, "key"), f"duplicate question key '{question.key}'")
        if question.number in numbers:
            fail(("questions", qi, "number"), f"duplicate question number {question.number}")
        question_keys.add(question.key)
        numbers.add(question.number)
        for fi, field_def in enumerate(question.fields):
            here: KeyPath = ("questions", qi, "fields", fi)
            if field_def.key in fields_seen:
                fail((*here, "key"), f"duplicate field key '{field_def.key}'")
            if field_def.taxonomy and field_def.taxonomy not in definition.taxonomies:
                fail((*here, "taxonomy"), f"unknown taxonomy '{field_def.taxonomy}'")
            if field_def.show_when:
                # Only an earlier field may control visibility: no cycles, and the form reads in order.
                controller = fields_seen.get(field_def.show_when.field)
                if controller is None:
                    fail(
                        (*here, "show_when", "field"),
                        f"show_when names '{field_def.show_when.field}', which is not an earlier field",
                    )
                if controller.type not in ("choice", "multi"):
                    fail((*here, "show_when", "field"), "show_when must name a choice or multi field")
                # A choice or multi field has a taxonomy (FieldDef requires one).
                options = {o.key for o in definition.taxonomies[cast(str, controller.taxonomy)].options}
                for vi, value in enumerate(field_def.show_when.values):
                    if value not in options:
                        fail(
                            (*here, "show_when", "in", vi),
                            f"'{value}' is not an option of {controller.taxonomy}",
                        )
            fields_seen[field_def.key] = field_def


# ---------------------------------------------------------------------------------------------
# Writing


class ChangeList(list):
    """The load's changes, one line each, and for the audit log each changed value from what to
    what (`details`)."""

    def __init__(self) -> None:
        super().__init__()
        self.details: list[dict[str, Any]] = []


def _sync(obj: Any, values: dict[str, Any], changes: ChangeList, label: str) -> None:
    """Sets the values that differ and saves; records what changed, and from what to what."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        changes.details += [
            {"object": label, "field": name, "from": str(getattr(obj, name)), "to": str(values[name])}
            for name in changed
        ]
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        changes.append(f"{label}: changed {', '.join(changed)}")


# `model` is a model class; typed type[Any], as django-stubs gives `objects` to each model
# class, not to type[Model].
def _upsert(
    model: type[Any], lookup: dict[str, Any], values: dict[str, Any], changes: ChangeList, label: str
) -> Any:
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        changes.append(f"{label}: added")
    else:
        _sync(obj, values, changes, label)
    return obj


@transaction.atomic
def questionnaire_load(*, path: Path | str) -> LoadReport:
    """Loads (or updates) the questionnaire a definition file describes."""
    path = Path(path)
    definition = definition_parse(path)
    meta = definition.questionnaire
    changes = ChangeList()

    questionnaire = Questionnaire.objects.select_for_update().filter(key=meta.key).first()
    created = questionnaire is None
    meta_values = {
        **_translated("title", meta.title),
        **_translated("description", meta.description),
        "coordinator_name": meta.coordinator,
        "handling_marking": meta.handling_marking,
        "definition_version": meta.definition_version,
    }
    if questionnaire is None:  # created
        questionnaire = Questionnaire.objects.create(key=meta.key, **meta_values)
    else:
        _sync(questionnaire, meta_values, changes, f"questionnaire {meta.key}")

    existing_fields = {f.key: f for f in Field.objects.filter(questionnaire=questionnaire)}
    field_defs = {f.key: f for q in definition.questions for f in q.fields}
    _refuse_destructive_changes(path, existing_fields, field_defs, definition)

    taxonomies = _load_taxonomies(questionnaire, definition, changes)
    _load_questions(questionnaire, definition, taxonomies, existing_fields, changes)
    _remove_unlisted(questionnaire, definition, changes)
    _load_rounds(questionnaire, definition, changes)

    if created or changes:
        questionnaire.source_file = str(path)
        questionnaire.loaded_at = timezone.now()
        questionnaire.save(update_fields=["source_file", "loaded_at"])
        questionnaire_id = questionnaire.pk
        transaction.on_commit(lambda: questionnaire_structure_changed(questionnaire_id))
        # A setup change like one made in the admin, from whichever way the file was loaded.
        audit_record(
            user=None,
            action=AuditEvent.Action.QUESTIONNAIRE_LOAD,
            questionnaire=meta.key,
            file=path.name,
            created=created,
            changes=list(changes),
            values=changes.details,
        )
    return LoadReport(
        questionnaire=questionnaire,
        created=created,
        changes=changes,
        untranslated=untranslated_texts(definition),
    )


def _refuse_destructive_changes(
    path: Path,
    existing_fields: dict[str, Field],
    field_defs: dict[str, FieldDef],
    definition: DefinitionFile,
) -> None:
    """A field or option that answers use may not disappear or change its meaning."""
    if not existing_fields:
        return
    answered = answer_values_for_fields(list(existing_fields.values()))
    for key, values in answered.items():
        if not values:
            continue
        field_obj = existing_fields[key]
        new = field_defs.get(key)
        if new is None:
            raise DefinitionError(
                path=path,
                key_path=("questions",),
                message=(
                    f"field '{key}' is no longer in the file, but {len(values)} saved response "
                    "version(s) answer it; keep the field (answers are never dropped)"
                ),
            )
        if new.type != field_obj.field_type:
            raise DefinitionError(
                path=path,
                message=(
                    f"field '{key}' changes type from {field_obj.field_type} to {new.type}, "
                    "but it already has answers; add a new field instead"
                ),
            )
        declared = sorted({d["declared"] for value in values if (d := declaration(value))})
        if withdrawn := [d for d in declared if d not in _non_answers_of(new, definition)]:
            raise DefinitionError(
                path=path,
                message=(
                    f"field '{key}' would no longer accept the declared non-answer(s) "
                    f"{', '.join(withdrawn)} that answers use; keep them in its non_answers"
                ),
            )
        if new.type in ("choice", "multi"):
            taxonomy_key = cast(str, new.taxonomy)  # a choice or multi field has one (FieldDef requires it)
            kept = {o.key for o in definition.taxonomies[taxonomy_key].options}
            chosen = Counter(k for value in values for k in chosen_option_keys(value))
            if lost := sorted(set(chosen) - kept):
                raise DefinitionError(
                    path=path,
                    message=(
                        f"field '{key}' would lose option(s) {', '.join(lost)} that answers use; "
                        "keep these options in taxonomy " + taxonomy_key
                    ),
                )
            # The same rule as the admin's: a used option keeps its label too.
            if field_obj.taxonomy_id is not None:
                problems = option_change_problems(
                    used=dict(chosen),
                    # (it has a taxonomy: taxonomy_id is set)
                    before={o.key: o.label_en for o in cast(Taxonomy, field_obj.taxonomy).options.all()},
                    after={o.key: o.label["en"] for o in definition.taxonomies[taxonomy_key].options},
                )
                if problems:
                    raise DefinitionError(
                        path=path,
                        key_path=("taxonomies", taxonomy_key),
                        message=f"field '{key}': " + " ".join(problems),
                    )


def _load_taxonomies(
    questionnaire: Questionnaire, definition: DefinitionFile, changes: ChangeList
) -> dict[str, Taxonomy]:
    taxonomies: dict[str, Taxonomy] = {}
    for tax_key, tax_def in definition.taxonomies.items():
        taxonomy = _upsert(
            Taxonomy,
            {"questionnaire": questionnaire, "key": tax_key},
            _translated("name", tax_def.name),
            changes,
            f"taxonomy {tax_key}",
        )
        taxonomies[tax_key] = taxonomy
        keys = [o.key for o in tax_def.options]
        stale = Option.objects.filter(taxonomy=taxonomy).exclude(key__in=keys)
        if removed := list(stale.values_list("key", flat=True)):
            stale.delete()
            changes.append(f"taxonomy {tax_key}: removed option(s) {', '.join(removed)}")
        for position, option_def in enumerate(tax_def.options, start=1):
            _upsert(
                Option,
                {"taxonomy": taxonomy, "key": option_def.key},
                {
                    **_translated("label", option_def.label),
                    "position": position,
                    "asks_for_text": option_def.other,
                },
                changes,
                f"option {tax_key}.{option_def.key}",
            )
    return taxonomies


def _park(objects: Sequence[Any], attribute: str) -> None:
    """Moves objects whose unique position changes out of the way, so that swapping two
    positions never meets the unique constraint half-way."""
    for obj in objects:
        setattr(obj, attribute, 100_000 + obj.pk)
        obj.save(update_fields=[attribute])


def _load_questions(
    questionnaire: Questionnaire,
    definition: DefinitionFile,
    taxonomies: dict[str, Taxonomy],
    existing_fields: dict[str, Field],
    changes: ChangeList,
) -> None:
    existing_questions = {q.key: q for q in Question.objects.filter(questionnaire=questionnaire)}
    numbers = {q.key: q.number for q in definition.questions}
    _park([q for key, q in existing_questions.items() if numbers.get(key) != q.number], "number")
    questions: dict[str, Question] = {}
    for question_def in definition.questions:
        questions[question_def.key] = _upsert(
            Question,
            {"questionnaire": questionnaire, "key": question_def.key},
            {
                "number": question_def.number,
                **_translated("title", question_def.title),
                **_translated("text", question_def.text),
                **_translated("help_text", question_def.help),
            },
            changes,
            f"question {question_def.key}",
        )

    placements = {
        f.key: (questions[q.key], position)
        for q in definition.questions
        for position, f in enumerate(q.fields, start=1)
    }
    _park(
        [
            field_obj
            for key, field_obj in existing_fields.items()
            if key not in placements
            or (field_obj.question_id, field_obj.position) != (placements[key][0].pk, placements[key][1])
        ],
        "position",
    )
    fields_by_key: dict[str, Field] = {}
    for question_def in definition.questions:
        for field_def in question_def.fields:
            question, position = placements[field_def.key]
            show_when = field_def.show_when
            fields_by_key[field_def.key] = _upsert(
                Field,
                {"questionnaire": questionnaire, "key": field_def.key},
                {
                    "question": question,
                    "position": position,
                    **_translated("label", field_def.label),
                    **_translated("help_text", field_def.help),
                    "field_type": field_def.type,
                    "required": field_def.required,
                    **_translated("unit", field_def.unit),
                    "min_value": field_def.min,
                    "max_value": field_def.max,
                    "max_length": field_def.max_length,
                    "taxonomy": taxonomies[field_def.taxonomy] if field_def.taxonomy else None,
                    "has_figure_kind": field_def.figure_kind,
                    "show_when_field": fields_by_key[show_when.field] if show_when else None,
                    "show_when_values": list(show_when.values) if show_when else [],
                    "aggregation": field_def.agg,
                    "non_answers": _non_answers_of(field_def, definition),
                    "decision_roles": list(field_def.roles),
                    **_translated("mark", field_def.mark),
                },
                changes,
                f"field {field_def.key}",
            )


def _translated(name: str, texts: dict[str, str]) -> dict[str, str]:
    """One model field's texts as its per-language columns (questionnaire/translation.py); a
    language the file does not give is left empty, and reads as the English text."""
    return {f"{name}_{code}": texts.get(code, "") for code in LANGUAGE_CODES}


def untranslated_texts(definition: DefinitionFile) -> dict[str, list[str]]:
    """For each language but English, where the file gives an English text only."""
    texts: list[tuple[str, dict[str, str]]] = [
        ("questionnaire title", definition.questionnaire.title),
        ("questionnaire description", definition.questionnaire.description),
    ]
    for tax_key, tax_def in definition.taxonomies.items():
        texts.append((f"taxonomy {tax_key} name", tax_def.name))
        texts += [(f"option {tax_key}.{o.key} label", o.label) for o in tax_def.options]
    for q in definition.questions:
        texts += [(f"question {q.key} {a}", getattr(q, a)) for a in ("title", "text", "help")]
        for f in q.fields:
            texts += [(f"field {f.key} {a}", getattr(f, a)) for a in ("label", "help", "unit", "mark")]
    return {
        code: [where for where, given in texts if given.get("en") and not given.get(code)]
        for code in LANGUAGE_CODES
        if code != "en"
    }


def _non_answers_of(field_def: FieldDef, definition: DefinitionFile) -> list[str]:
    if field_def.non_answers is not None:
        return list(field_def.non_answers)
    return list(definition.questionnaire.default_non_answers) if field_def.required else []


def _remove_unlisted(questionnaire: Questionnaire, definition: DefinitionFile, changes: ChangeList) -> None:
    """Deletes fields, questions and taxonomies the file no longer lists (answered fields were
    refused earlier, so what goes here has no answers)."""
    field_keys = [f.key for q in definition.questions for f in q.fields]
    stale_fields = Field.objects.filter(questionnaire=questionnaire).exclude(key__in=field_keys)
    # Dependent fields first: show_when protects the field it points at.
    for field_obj in sorted(stale_fields, key=lambda f: f.show_when_field_id is None):
        field_obj.delete()
        changes.append(f"field {field_obj.key}: removed")
    stale_questions = Question.objects.filter(questionnaire=questionnaire).exclude(
        key__in=[q.key for q in definition.questions]
    )
    for question in stale_questions:
        question.delete()
        changes.append(f"question {question.key}: removed")
    stale_taxonomies = Taxonomy.objects.filter(questionnaire=questionnaire).exclude(
        key__in=list(definition.taxonomies)
    )
    for taxonomy in stale_taxonomies:
        taxonomy.delete()
        changes.append(f"taxonomy {taxonomy.key}: removed")


def _load_rounds(questionnaire: Questionnaire, definition: DefinitionFile, changes: ChangeList) -> None:
    """Creates the rounds the file names that do not exist yet. An existing round is the
    coordinator's to run: its status, deadline and marking are never reset by a reload."""
    existing = {r.key: r for r in Round.objects.filter(questionnaire=questionnaire)}
    for round_def in definition.rounds:
        if round_def.key in existing:
            round_ = existing[round_def.key]
            # A round loaded before addressees existed takes the file's list once; after that
            # the list is the coordinator's.
            if round_def.addressees and not round_.addressee_codes:
                round_.addressee_codes = sorted(set(round_def.addressees))
                round_.save(update_fields=["addressee_codes"])
                changes.append(f"round {round_def.key}: addressees set from the file")
            continue
        Round.objects.create(
            questionnaire=questionnaire,
            key=round_def.key,
            title=round_def.title,
            status=round_def.status,
            opens_at=round_def.opens_at,
            deadline=round_def.deadline,
            handling_marking=round_def.handling_marking or questionnaire.handling_marking,
            addressee_codes=sorted(set(round_def.addressees)),
        )
        changes.append(f"round {round_def.key}: added")
