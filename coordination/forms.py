from django import forms
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEvent
from questionnaire.models import Round
from responses.models import Country


class RoundForm(forms.ModelForm):
    addressees = forms.ModelMultipleChoiceField(
        label=_("Addressees"),
        queryset=Country.objects.filter(is_invitable=True).order_by("name"),
        to_field_name="code",
        required=False,
        help_text=_(
            "The countries the round was sent to: only they count as not yet answered, get "
            "reminders and appear on report covers. None chosen: every country."
        ),
        widget=forms.SelectMultiple(attrs={"data-searchable": "true", "size": "10"}),
    )

    class Meta:
        model = Round
        fields = ["status", "deadline", "handling_marking"]
        widgets = {"deadline": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["addressees"] = list(self.instance.addressee_codes)


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
