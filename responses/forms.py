"""The form of one question, built from its field definitions (no hand-written per-question form).

Every field is optional here: a draft may be partial. Required answers are checked at submission.
"""

from collections.abc import Callable
from functools import partial
from typing import Any, cast

from crispy_forms.bootstrap import AppendedText, InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Layout
from django import forms
from django.http import QueryDict
from django.utils.functional import cached_property, lazy
from django.utils.html import escape, format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.numbers import figure
from questionnaire.answers import (
    FIGURE_KINDS,
    NON_ANSWER_KINDS,
    NON_ANSWER_REASON_MAX_LENGTH,
    declaration,
    field_is_shown,
)
from questionnaire.models import Field, Question, Taxonomy
from responses.models import Country

OTHER_SUFFIX = "__other"
KIND_SUFFIX = "__kind"
DECLARED_SUFFIX = "__declared"
REASON_SUFFIX = "__declared_reason"
FIGURE_KIND_LABELS = {"official": gettext_lazy("Official figure"), "estimate": gettext_lazy("Estimate")}


_lazy_text = lazy(lambda make: make(), str)


def _help_text(field: Field) -> str:
    # Crispy prints help text with |safe; it comes from a definition file, so escape it here.
    if field.required:
        # Drafts may leave it empty; everyone who edits sees what submission will need.
        return format_html(
            '<strong class="required-note">{}</strong> {}', _("Required for submission."), field.help_text
        )
    return escape(field.help_text)


def _declaration_choices(kinds: list[str]) -> list[tuple[str, Any]]:
    return [("", _("(I give an answer)"))] + [
        (kind, NON_ANSWER_KINDS[kind]) for kind in kinds if kind in NON_ANSWER_KINDS
    ]


class QuestionForm(forms.Form):
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(
        self,
        *args: Any,
        question: Question,
        answers: dict[str, Any],
        countries: list[Country],
        read_only: bool = False,
        **kwargs: Any,
    ):
        self.question = question
        # Fields in conflict with a colleague's save: the view sets them before drawing the form.
        self.conflict_keys: set[str] = set()
        self.question_fields: list[Field] = list(question.fields.all())
        self.stored_answers = answers
        kwargs.setdefault("initial", {}).update(self._initial(answers))
        super().__init__(*args, **kwargs)

        # A callable: Django normalises a list of choices when the field is made (56 countries on
        # every autosave), a callable only when the field is drawn or a value is checked.
        def country_choices() -> list[tuple[str, str]]:
            return [(c.code, c.name) for c in countries]

        for field in self.question_fields:
            self._add_fields(field, country_choices)
        if read_only:
            for form_field in self.fields.values():
                form_field.disabled = True

    @cached_property
    def helper(self) -> FormHelper:
        """crispy's layout, built when the form is drawn: an autosave only validates."""
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        helper.layout = self._layout()
        return helper

    # -- building -------------------------------------------------------------------------------

    def _add_fields(self, field: Field, country_choices: Callable[[], list[tuple[str, str]]]) -> None:
        # Label and help text are worked out when the form is drawn (an autosave only validates).
        common = {
            "label": _lazy_text(lambda: field.label),
            "help_text": _lazy_text(partial(_help_text, field)),
        }
        common["required"] = False
        taxonomy = field.taxonomy

        # Callables, as for the countries: labels are read (in the page's language) only when the
        # field is drawn or a value checked, not on every autosave for every field.
        def options() -> list[tuple[str, str]]:
            return [(o.key, o.label) for o in taxonomy.options.all()] if taxonomy else []

        kind = field.field_type
        if kind == Field.FieldType.CHOICE:
            self.fields[field.key] = forms.ChoiceField(choices=options, widget=forms.RadioSelect, **common)
        elif kind == Field.FieldType.MULTI:
            self.fields[field.key] = forms.MultipleChoiceField(
                choices=options, widget=forms.CheckboxSelectMultiple, **common
            )
            # A choice field has a taxonomy (questionnaire/definition.py requires one).
            other = next((o for o in cast(Taxonomy, field.taxonomy).options.all() if o.asks_for_text), None)
            if other is not None:
                self.fields[field.key + OTHER_SUFFIX] = forms.CharField(
                    label=_("If other, please specify"),
                    max_length=500,
                    required=False,
                )
        elif kind in (Field.FieldType.INTEGER, Field.FieldType.MONTHS):
            range_message = _("Enter a whole number from %(min)s to %(max)s.") % {
                # Both bounds are set for these types (questionnaire/definition.py requires them).
                "min": figure(cast(int, field.min_value)),
                "max": figure(cast(int, field.max_value)),
            }
            self.fields[field.key] = forms.IntegerField(
                min_value=field.min_value,
                max_value=field.max_value,
                error_messages=dict.fromkeys(("min_value", "max_value", "invalid"), range_message),
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                **common,
            )
            if field.has_figure_kind:
                self.fields[field.key + KIND_SUFFIX] = forms.ChoiceField(
                    label=_("Is this figure official or an estimate?"),
                    choices=[(k, FIGURE_KIND_LABELS[k]) for k in FIGURE_KINDS],
                    widget=forms.RadioSelect,
                    required=False,
                )
        elif kind == Field.FieldType.COUNTRIES:
            self.fields[field.key] = forms.MultipleChoiceField(
                choices=country_choices,
                widget=forms.SelectMultiple(
                    attrs={"data-searchable": "true", "size": "8", "aria-describedby": f"hint_{field.key}"}
                ),
                **common,
            )
        else:
            self.fields[field.key] = forms.CharField(
                max_length=field.max_length,
                widget=forms.Textarea(attrs={"rows": 4, "data-counter": "true"}),
                error_messages={
                    "max_length": _("Keep this to %(limit_value)d characters (it has %(show_value)d).")
                },
                **common,
            )
        if field.non_answers:
            self.fields[field.key + DECLARED_SUFFIX] = forms.ChoiceField(
                label=_("Declaration"),
                choices=partial(_declaration_choices, field.non_answers),
                required=False,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[field.key + REASON_SUFFIX] = forms.CharField(
                label=_("Reason for the declaration (optional)"),
                max_length=NON_ANSWER_REASON_MAX_LENGTH,
                required=False,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )

    def _layout(self) -> Layout:
        items: list[Any] = ["base_version"]
        current = self._current_answers_for_visibility()
        for field in self.question_fields:
            parts: list[Any] = []
            if field.field_type in (Field.FieldType.INTEGER, Field.FieldType.MONTHS):
                parts.append(AppendedText(field.key, field.unit or _("months")))
                if field.has_figure_kind:
                    parts.append(InlineRadios(field.key + KIND_SUFFIX))
            else:
                parts.append(field.key)
                if field.field_type == Field.FieldType.COUNTRIES:
                    parts.append(
                        HTML(
                            f'<p class="form-text mt-n2 no-script-hint" id="hint_{field.key}">'
                            + _("Type to search; hold Ctrl (Cmd on a Mac) to choose several without script.")
                            + "</p>"
                        )
                    )
            if field.key + OTHER_SUFFIX in self.fields:
                parts.append(field.key + OTHER_SUFFIX)
            if field.key + DECLARED_SUFFIX in self.fields:
                # Folded away unless in use: most answers are answers. A native <details> opens
                # with the keyboard and tells screen readers whether it is open.
                is_open = " open" if self._declaration_in_use(field) else ""
                parts += [
                    HTML(
                        f'<details class="declared-non-answer border-start ps-3 mb-2" '
                        f'data-testid="declaration"{is_open}><summary class="small">'
                        + escape(_("Declare instead of answering"))
                        + "</summary>"
                    ),
                    field.key + DECLARED_SUFFIX,
                    field.key + REASON_SUFFIX,
                    HTML("</details>"),
                ]
            if field.key in self.conflict_keys:
                # Beside the field as well as in the table at the top, where the choice is made.
                parts.insert(
                    0,
                    HTML(
                        f'<div class="alert alert-danger py-2 small" data-testid="conflict-note" '
                        f'id="conflict-note-{field.key}">'
                        + escape(_("A colleague changed this answer meanwhile."))
                        + f' <a href="#resolve_{field.key}_mine">'
                        + escape(_("Choose which version to keep"))
                        + "</a></div>"
                    ),
                )
            attrs: dict[str, Any] = {"css_class": "answer-field mb-4", "data_field_key": field.key}
            if field.show_when_field is not None:
                attrs["data_show_when_field"] = field.show_when_field.key
                attrs["data_show_when_values"] = " ".join(field.show_when_values)
                if not field_is_shown(field, current):
                    attrs["css_class"] += " d-none"
            items.append(Div(*parts, **attrs))
        return Layout(*items)

    def _declaration_in_use(self, field: Field) -> bool:
        names = (field.key + DECLARED_SUFFIX, field.key + REASON_SUFFIX)
        if any(name in self.errors for name in names):
            return True
        if self.is_bound:
            return any(self.data.get(name) for name in names)
        return declaration(self.stored_answers.get(field.key)) is not None

    def _current_answers_for_visibility(self) -> dict[str, Any]:
        if not self.is_bound:
            return self.stored_answers
        answers = dict(self.stored_answers)
        for field in self.question_fields:
            if field.field_type == Field.FieldType.CHOICE:
                answers[field.key] = self.data.get(field.key) or None
            elif field.field_type == Field.FieldType.MULTI:
                # A bound form's data is the request's QueryDict.
                answers[field.key] = {"selected": cast(QueryDict, self.data).getlist(field.key), "other": ""}
        return answers

    def _initial(self, answers: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for field in self.question_fields:
            value = answers.get(field.key)
            if value is None:
                continue
            if declared := declaration(value):
                initial[field.key + DECLARED_SUFFIX] = declared.get("declared", "")
                initial[field.key + REASON_SUFFIX] = declared.get("reason", "")
            elif field.field_type == Field.FieldType.MULTI:
                initial[field.key] = value.get("selected", [])
                initial[field.key + OTHER_SUFFIX] = value.get("other", "")
            elif field.field_type == Field.FieldType.INTEGER:
                initial[field.key] = value.get("value")
                initial[field.key + KIND_SUFFIX] = value.get("figure_kind") or ""
            else:
                initial[field.key] = value
        return initial

    def data_with_current(self, data: Any, answers: dict[str, Any], keys: set[str]) -> Any:
        """A copy of posted `data` in which the fields `keys` hold the saved `answers`: after a
        conflict, what a colleague changed (and the user did not) is shown as it now is."""
        data = data.copy()
        for name, value in self.widget_values(answers, keys).items():
            values = value if isinstance(value, list) else ([] if value == "" else [value])
            data.setlist(name, [str(v) for v in values])
        return data

    def widget_values(self, answers: dict[str, Any], keys: set[str]) -> dict[str, Any]:
        """The values the page's inputs of fields `keys` should hold for `answers`, by input
        name (a list for multiple choices, "" for an empty input)."""
        initial = self._initial(answers)
        values: dict[str, Any] = {}
        for field in self.question_fields:
            if field.key not in keys:
                continue
            for name in (
                field.key,
                field.key + OTHER_SUFFIX,
                field.key + KIND_SUFFIX,
                field.key + DECLARED_SUFFIX,
                field.key + REASON_SUFFIX,
            ):
                if name in self.fields:
                    value = initial.get(name)
                    values[name] = value if value is not None else ""
        return values

    # -- reading --------------------------------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        # Form.clean returns cleaned_data (the stubs allow None, for overrides that return none).
        cleaned = cast(dict[str, Any], super().clean())
        if self.errors:
            return cleaned
        for field in self.question_fields:
            declared = cleaned.get(field.key + DECLARED_SUFFIX)
            reason = cleaned.get(field.key + REASON_SUFFIX)
            if declared and self._typed(field):
                # Neither is dropped for the other: the person chooses, nothing typed is lost.
                self.add_error(
                    field.key + DECLARED_SUFFIX,
                    _("Clear the answer or this declaration: a field holds one or the other."),
                )
            elif reason and not declared:
                self.add_error(field.key + REASON_SUFFIX, _("Choose what you declare, or clear this reason."))
        if self.errors:
            return cleaned
        answers = {**self.stored_answers, **self.answers()}
        for field in self.question_fields:
            controller = field.show_when_field
            if controller is None or field_is_shown(field, answers):
                continue
            if answers.get(field.key) is not None:
                self.add_error(
                    field.key,
                    _(
                        "This answer does not apply with your answer to “%(question)s”. "
                        "Clear it, or change that answer."
                    )
                    % {"question": controller.label},
                )
            if cleaned.get(field.key + KIND_SUFFIX) and cleaned.get(field.key) is None:
                cleaned[field.key + KIND_SUFFIX] = ""
        for field in self.question_fields:
            other_key = field.key + OTHER_SUFFIX
            if cleaned.get(other_key):
                # Only a multiple-choice field, which has a taxonomy, asks for an "other" text.
                other = next(o for o in cast(Taxonomy, field.taxonomy).options.all() if o.asks_for_text)
                if other.key not in cleaned.get(field.key, []):
                    self.add_error(
                        other_key,
                        _("Tick “%(option)s” as well, or clear this text.") % {"option": other.label},
                    )
        return cleaned

    def _typed(self, field: Field) -> bool:
        """Whether the field's answer itself (not a declaration) holds anything."""
        value = self.cleaned_data.get(field.key)
        return value not in (None, "", []) and not (isinstance(value, str) and not value.strip())

    def answers(self) -> dict[str, Any]:
        """This question's answers in their stored shapes; None for a cleared field."""
        data = self.cleaned_data
        answers: dict[str, Any] = {}
        for field in self.question_fields:
            value: Any = data.get(field.key)  # as the field cleaned it
            kind = field.field_type
            if declared := data.get(field.key + DECLARED_SUFFIX):
                answers[field.key] = {"declared": declared}
                if reason := (data.get(field.key + REASON_SUFFIX) or "").strip():
                    answers[field.key]["reason"] = reason
            elif kind == Field.FieldType.MULTI:
                selected = list(value or [])
                answers[field.key] = (
                    {"selected": selected, "other": (data.get(field.key + OTHER_SUFFIX) or "").strip()}
                    if selected
                    else None
                )
            elif kind == Field.FieldType.INTEGER:
                answers[field.key] = (
                    {"value": value, "figure_kind": data.get(field.key + KIND_SUFFIX) or None}
                    if value is not None
                    else None
                )
            elif kind == Field.FieldType.COUNTRIES:
                answers[field.key] = list(value) or None
            elif kind == Field.FieldType.TEXT:
                answers[field.key] = value.strip() or None if value else None
            else:
                answers[field.key] = value if value not in ("", None) else None
        return answers

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """Errors the service found (e.g. required at submission), shown at their fields."""
        for key, messages in errors.items():
            target = key if key in self.fields else None
            for message in messages:
                self.add_error(target, message)


class ResponseDetailsForm(forms.Form):
    """The response's metadata: contact point, approval date, approver's note."""

    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    contact_name = forms.CharField(label=gettext_lazy("Contact point (name)"), max_length=200, required=False)
    ministry = forms.CharField(label=gettext_lazy("Ministry"), max_length=200, required=False)
    email = forms.EmailField(label=gettext_lazy("Email"), required=False)
    approval_date = forms.DateField(
        label=gettext_lazy("Date of the government's approval"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    approver_note = forms.CharField(
        label=gettext_lazy("Note from the approver"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def metadata(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "contact_name": data["contact_name"],
            "ministry": data["ministry"],
            "email": data["email"],
            "approval_date": data["approval_date"].isoformat() if data["approval_date"] else "",
            "approver_note": data["approver_note"],
        }


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Why is the response returned?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[f"comment_{question.key}"] = forms.CharField(
                label=_("Comment on question %(number)s: %(title)s")
                % {"number": question.number, "title": question.title},
                max_length=4000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def question_comments(self) -> dict[str, str]:
        return {q.key: self.cleaned_data.get(f"comment_{q.key}", "") for q in self.questions}


class JointResponseForm(forms.Form):
    countries = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Author countries"),
        queryset=Country.objects.filter(is_invitable=True),
        widget=forms.SelectMultiple(attrs={"data-searchable": "true", "size": "10"}),
        help_text=gettext_lazy("Choose at least two countries that answer together."),
    )

    def clean_countries(self) -> Any:
        countries = self.cleaned_data["countries"]
        if len(countries) < 2:
            raise forms.ValidationError(_("A joint response needs at least two countries."))
        return countries
