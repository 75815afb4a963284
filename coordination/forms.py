from django import forms
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEvent
from questionnaire.models import Round


class RoundForm(forms.ModelForm):
    class Meta:
        model = Round
        fields = ["status", "deadline", "handling_marking"]
        widgets = {"deadline": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}


class AuditFilterForm(forms.Form):
    user = forms.CharField(label=_("User name contains"), required=False, max_length=150)
    country = forms.CharField(label=_("Country code"), required=False, max_length=2)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any")), *AuditEvent.Action.choices]
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
