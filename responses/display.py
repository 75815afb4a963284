"""Turns stored answer values into what people read, and shows differences between versions."""

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.numbers import figure
from questionnaire.answers import declaration, declaration_text, field_is_shown, is_empty
from questionnaire.models import Field, Question
from responses.selectors import countries_by_name

# In a version's metadata: the language of the page each free-text answer was last written on
# (field key -> language code), recorded by the save service, so readers are told which it is.
TEXT_LANGUAGES = "text_languages"


def text_languages_of(metadata: dict[str, Any]) -> dict[str, str]:
    return (metadata or {}).get(TEXT_LANGUAGES, {})


class AnswerFormatter:
    """Formats values of one questionnaire's fields; build it once per page (it reads the
    already-prefetched options and one query of country names)."""

    def __init__(self, questions: Iterable[Question]):
        self.questions = list(questions)
        self.fields: list[Field] = [f for q in self.questions for f in q.fields.all()]
        self.by_key = {f.key: f for f in self.fields}
        # By (taxonomy id, option key); looked up with a field's taxonomy_id, which may be None.
        self.option_labels: dict[tuple[int | None, str], str] = {
            (f.taxonomy_id, o.key): o.label
            for f in self.fields
            if f.taxonomy
            for o in f.taxonomy.options.all()
        }
        self.country_names = {c.code: c.name for c in countries_by_name()}

    def labels(self, keys: Iterable[str]) -> list[str]:
        """The labels of the given field keys, in questionnaire order."""
        wanted = set(keys)
        return [f.label for f in self.fields if f.key in wanted]

    def text(self, field: Field, value: Any) -> str:
        if is_empty(field, value):
            return ""
        if declared := declaration(value):
            return declaration_text(declared)
        kind = field.field_type
        if kind == Field.FieldType.CHOICE:
            return self.option_labels.get((field.taxonomy_id, value), value)
        if kind == Field.FieldType.MULTI:
            labels = [self.option_labels.get((field.taxonomy_id, k), k) for k in value.get("selected", [])]
            if value.get("other"):
                labels.append(_("Other: %(text)s") % {"text": value["other"]})
            return "; ".join(labels)
        if kind == Field.FieldType.INTEGER:
            text = f"{figure(value['value'])} {field.unit}".strip()
            if value.get("figure_kind") == "official":
                text += " " + _("(official figure)")
            elif value.get("figure_kind") == "estimate":
                text += " " + _("(estimate)")
            return text
        if kind == Field.FieldType.MONTHS:
            return _("%(count)s months") % {"count": value}
        if kind == Field.FieldType.COUNTRIES:
            return ", ".join(self.country_names.get(code, code) for code in value)
        return str(value)


@dataclass
class FieldDifference:
    field: Field
    before: str
    after: str
    inline_diff: SafeString | None


def text_diff_html(before: str, after: str) -> SafeString:
    """Word-level difference with <del> and <ins>; every piece of user text is escaped."""
    a, b = before.split(), after.split()
    parts: list[str] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(escape(" ".join(a[a1:a2])))
            continue
        if op in ("delete", "replace"):
            parts.append(f"<del>{escape(' '.join(a[a1:a2]))}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{escape(' '.join(b[b1:b2]))}</ins>")
    return mark_safe(" ".join(parts))  # noqa: S308 - built from escaped pieces only


def answers_difference(
    formatter: AnswerFormatter, before: dict[str, Any], after: dict[str, Any]
) -> list[FieldDifference]:
    differences = []
    for field in formatter.fields:
        old, new = before.get(field.key), after.get(field.key)
        if old == new:
            continue
        old_text, new_text = formatter.text(field, old), formatter.text(field, new)
        inline = text_diff_html(old_text, new_text) if field.field_type == Field.FieldType.TEXT else None
        differences.append(FieldDifference(field=field, before=old_text, after=new_text, inline_diff=inline))
    return differences


@dataclass
class QuestionProgress:
    question: Question
    state: str  # "not_started", "incomplete", "answered", "has_errors"
    missing: list[Field]

    @property
    def label(self) -> str:
        return {
            "not_started": _("Not started"),
            "incomplete": _("Incomplete"),
            "answered": _("Answered"),
            "has_errors": _("Has errors"),
        }[self.state]


def question_progress(
    questions: Iterable[Question], answers: dict[str, Any], *, with_errors: Iterable[int] = ()
) -> list[QuestionProgress]:
    with_errors = set(with_errors)
    progress = []
    for question in questions:
        fields = list(question.fields.all())
        shown = [f for f in fields if field_is_shown(f, answers)]
        filled = [f for f in shown if not is_empty(f, answers.get(f.key))]
        missing = [f for f in shown if f.required and is_empty(f, answers.get(f.key))]
        if question.number in with_errors:
            state = "has_errors"
        elif not filled:
            state = "not_started"
        elif missing:
            state = "incomplete"
        else:
            state = "answered"
        progress.append(QuestionProgress(question=question, state=state, missing=missing))
    return progress
