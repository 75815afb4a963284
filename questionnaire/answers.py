"""What an answer value looks like for each field type, and the checks on it.

Shapes (JSON, stored under the field's key in `ResponseVersion.answers`):
- choice:    "option_key"
- multi:     {"selected": ["option_key", ...], "other": "text for an 'other (specify)' option"}
- integer:   {"value": 1200, "figure_kind": "official" | "estimate" | null}
- months:    24
- countries: ["FR", "DE"]
- text:      "free text"

Any field that accepts declared non-answers (`Field.non_answers`) may instead hold one:
- declared:  {"declared": "no_position" | "not_applicable" | "will_not_state", "reason": "text"}
It is an answer for the completeness check, and is never a figure, an option or a country: the
summaries count it apart ("6 of 10 gave a figure; 4 declared no position"). Stored in the field's
own slot, so the merge and conflict rules treat it as any other value of the field: a colleague's
figure and one's declaration of no position on the same field are a conflict, never both kept.
"""

from collections.abc import Collection, Iterable
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from questionnaire.models import Field

FIGURE_KINDS = ("official", "estimate")
EMPTY_VALUES: tuple[Any, ...] = (None, "", [], {})

# What a government may say instead of an answer. Fixed here rather than in each definition, so
# that their meaning is the same in every round and file and they are translated with the
# interface; a definition says which of them a field accepts.
NON_ANSWER_KINDS: dict[str, Promise] = {
    "no_position": gettext_lazy("No position at this stage"),
    "not_applicable": gettext_lazy("Not applicable"),
    "will_not_state": gettext_lazy("Will not state"),
}
# How the summaries name those who made each declaration ("4 declared no position").
NON_ANSWER_COUNTED: dict[str, Promise] = {
    "no_position": gettext_lazy("declared no position"),
    "not_applicable": gettext_lazy("declared it not applicable"),
    "will_not_state": gettext_lazy("will not state"),
}
NON_ANSWER_REASON_MAX_LENGTH = 500


def declaration(value: Any) -> dict[str, str] | None:
    """The declared non-answer a stored value is, or None for an answer (or nothing)."""
    if isinstance(value, dict) and "declared" in value:
        return value
    return None


def declaration_text(value: dict[str, str]) -> str:
    """How a declaration reads on every page and in every file: its label, then its reason."""
    label = str(NON_ANSWER_KINDS.get(value.get("declared", ""), value.get("declared", "")))
    reason = (value.get("reason") or "").strip()
    if not reason:
        return label
    return _("%(declaration)s (reason: %(reason)s)") % {"declaration": label, "reason": reason}


def chosen_option_keys(value: Any) -> list[str]:
    """The option keys a stored choice (a key) or multiple choice ({"selected": [...]}) names;
    none for a declared non-answer."""
    if isinstance(value, str):
        return [value]
    if declaration(value):
        return []
    return list((value or {}).get("selected", []))


def is_empty(field: Field, value: Any) -> bool:
    """Nothing entered. A declared non-answer is not empty: it answers the field."""
    if value in EMPTY_VALUES:
        return True
    if declaration(value):
        return False
    if field.field_type == Field.FieldType.MULTI:
        return not value.get("selected")
    if field.field_type == Field.FieldType.INTEGER:
        return value.get("value") is None
    return False


def field_is_shown(field: Field, answers: dict[str, Any]) -> bool:
    """A field with a show-when condition counts only while its controlling answer matches."""
    controller = field.show_when_field
    if controller is None:
        return True
    # A declared non-answer chooses nothing, so what depends on a choice is not asked.
    chosen = set(chosen_option_keys(answers.get(controller.key)))
    return bool(chosen & set(field.show_when_values))


def answer_errors(
    field: Field, value: Any, *, option_keys: Collection[str], country_codes: Collection[str]
) -> list[str]:
    """Problems with one non-empty value; empty values are judged by `missing_required`."""
    if declared := declaration(value):
        return declaration_errors(field, declared)
    kind = field.field_type
    if kind == Field.FieldType.CHOICE:
        if not isinstance(value, str) or value not in option_keys:
            return [_("Choose one of the listed options.")]
    elif kind == Field.FieldType.MULTI:
        if not isinstance(value, dict) or not isinstance(value.get("selected"), list):
            return [_("Choose from the listed options.")]
        unknown = [k for k in value["selected"] if k not in option_keys]
        if unknown:
            return [_("Unknown option(s): %(options)s.") % {"options": ", ".join(map(str, unknown))}]
    elif kind in (Field.FieldType.INTEGER, Field.FieldType.MONTHS):
        number = value.get("value") if kind == Field.FieldType.INTEGER and isinstance(value, dict) else value
        if isinstance(number, bool) or not isinstance(number, int):
            return [_("Enter a whole number.")]
        if (field.min_value is not None and number < field.min_value) or (
            field.max_value is not None and number > field.max_value
        ):
            return [
                _("Enter a number from %(min)s to %(max)s %(unit)s.")
                % {"min": field.min_value, "max": field.max_value, "unit": field.unit}
            ]
        figure_kind = value.get("figure_kind") if kind == Field.FieldType.INTEGER else None
        if field.has_figure_kind and figure_kind not in (*FIGURE_KINDS, None):
            return [_("Say whether the figure is official or an estimate.")]
    elif kind == Field.FieldType.COUNTRIES:
        if not isinstance(value, list) or any(code not in country_codes for code in value):
            return [_("Choose countries from the list.")]
    elif kind == Field.FieldType.TEXT:
        if not isinstance(value, str):
            return [_("Enter text.")]
        if field.max_length and len(value) > field.max_length:
            return [
                _("Keep this to %(max)s characters (it has %(count)s).")
                % {"max": field.max_length, "count": len(value)}
            ]
    return []


def declaration_errors(field: Field, value: dict[str, Any]) -> list[str]:
    if set(value) - {"declared", "reason"}:
        return [_("A declaration holds its kind and a reason only.")]
    if value.get("declared") not in (field.non_answers or []):
        return [_("This answer cannot be declared that way.")]
    reason = value.get("reason", "")
    if not isinstance(reason, str):
        return [_("Enter the reason as text.")]
    if len(reason) > NON_ANSWER_REASON_MAX_LENGTH:
        return [
            _("Keep the reason to %(max)s characters (it has %(count)s).")
            % {"max": NON_ANSWER_REASON_MAX_LENGTH, "count": len(reason)}
        ]
    return []


def missing_required(fields: Iterable[Field], answers: dict[str, Any]) -> list[Field]:
    """Required fields that are shown and empty: what blocks a submission (never a draft save)."""
    return [
        f for f in fields if f.required and field_is_shown(f, answers) and is_empty(f, answers.get(f.key))
    ]
