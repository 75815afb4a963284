"""What an answer value looks like for each field type, and the checks on it.

Shapes (JSON, stored under the field's key in `ResponseVersion.answers`):
- choice:    "option_key"
- multi:     {"selected": ["option_key", ...], "other": "text for an 'other (specify)' option"}
- integer:   {"value": 1200, "figure_kind": "official" | "estimate" | null}
- months:    24
- countries: ["FR", "DE"]
- text:      "free text"
"""

from collections.abc import Collection, Iterable
from typing import Any

from django.utils.translation import gettext as _

from questionnaire.models import Field

FIGURE_KINDS = ("official", "estimate")
EMPTY_VALUES = (None, "", [], {})


def chosen_option_keys(value: Any) -> list[str]:
    """The option keys a stored choice (a key) or multiple choice ({"selected": [...]}) names."""
    if isinstance(value, str):
        return [value]
    return list((value or {}).get("selected", []))


def is_empty(field: Field, value: Any) -> bool:
    if value in EMPTY_VALUES:
        return True
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
    value = answers.get(controller.key)
    if controller.field_type == Field.FieldType.MULTI:
        chosen = set((value or {}).get("selected", []))
    else:
        chosen = {value} if value else set()
    return bool(chosen & set(field.show_when_values))


def answer_errors(
    field: Field, value: Any, *, option_keys: Collection[str], country_codes: Collection[str]
) -> list[str]:
    """Problems with one non-empty value; empty values are judged by `missing_required`."""
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


def missing_required(fields: Iterable[Field], answers: dict[str, Any]) -> list[Field]:
    """Required fields that are shown and empty: what blocks a submission (never a draft save)."""
    return [
        f for f in fields if f.required and field_is_shown(f, answers) and is_empty(f, answers.get(f.key))
    ]
