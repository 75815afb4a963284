from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from questionnaire.models import Question
from reports.models import Report
from reports.selectors import COUNTRY_GROUPS
from responses.models import Country


class ComparisonFilterForm(forms.Form):
    # Set by the view (reports/views.py): the question filter does not apply to a decision view.
    questions_ignored: bool

    group = forms.MultipleChoiceField(
        label=_("Countries"),
        choices=list(COUNTRY_GROUPS.items()),
        required=False,
        help_text=_("Several combine: members of any group chosen, offering troops if that is chosen too."),
        widget=forms.SelectMultiple(
            attrs={"class": "form-select", "size": "6", "aria-describedby": "id_group_help"}
        ),
    )
    questions = forms.TypedMultipleChoiceField(
        label=_("Questions"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["questions"]).choices = [
            (q.number, f"Q{q.number}. {q.title}") for q in questions
        ]


class ReportRequestForm(forms.Form):
    countries = forms.MultipleChoiceField(
        label=_("Countries"),
        required=False,
        help_text=_("Leave empty for every country that has submitted."),
        widget=forms.SelectMultiple(attrs={"data-searchable": "true", "size": "8"}),
    )
    questions = forms.TypedMultipleChoiceField(
        label=_("Questions"),
        coerce=int,
        required=False,
        help_text=_("Leave empty for all questions."),
        widget=forms.CheckboxSelectMultiple,
    )
    formats = forms.MultipleChoiceField(
        label=_("Formats"),
        choices=Report.Format.choices,
        initial=list(Report.Format.values),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one format.")},
    )

    language = forms.ChoiceField(
        label=_("Language of the report"),
        choices=settings.LANGUAGES,
        required=False,  # the requester's own
        help_text=_("Headings, labels and summaries; answers stay in the language they were written in."),
    )

    def __init__(self, *args: Any, questions: list[Question], countries: list[Country], **kwargs: Any):
        kwargs.setdefault("initial", {}).setdefault("language", translation.get_language())
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["questions"]).choices = [
            (q.number, f"Q{q.number}. {q.title}") for q in questions
        ]
        cast(forms.ChoiceField, self.fields["countries"]).choices = [(c.code, c.name) for c in countries]


class ReportLanguageForm(forms.Form):
    """The same snapshot, built again in another language."""

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
