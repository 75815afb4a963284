from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from audit.admin import AuditedChangesMixin
from audit.models import AuditEvent
from questionnaire.meaning import option_change_problems
from questionnaire.models import Field, Option, Question, Questionnaire, Round, Taxonomy
from questionnaire.usage import option_keys_in_use

# A round's status, deadline and marking change on the coordinators' Rounds page, whose service
# checks them, tells the countries and audits the change; here they are only shown.
ROUND_READ_ONLY = ("status", "deadline", "handling_marking", "addressee_codes")


class AuditedSetupAdmin(AuditedChangesMixin, admin.ModelAdmin):
    audit_action = AuditEvent.Action.ADMIN_CHANGE


class RoundInline(admin.TabularInline):
    model = Round
    extra = 0
    readonly_fields = ROUND_READ_ONLY


@admin.register(Questionnaire)
class QuestionnaireAdmin(AuditedSetupAdmin):
    list_display = ("title", "key", "handling_marking", "definition_version", "loaded_at")
    inlines = [RoundInline]
    # The structure comes from the definition file; editing it here would drift from the file.
    readonly_fields = ("key", "definition_version", "source_file", "loaded_at")


@admin.register(Round)
class RoundAdmin(AuditedSetupAdmin):
    list_display = ("title", "questionnaire", "status", "opens_at", "deadline", "handling_marking")
    list_filter = ("status", "questionnaire")
    readonly_fields = ROUND_READ_ONLY


class FieldInline(admin.TabularInline):
    model = Field
    fk_name = "question"
    extra = 0
    fields = ("position", "key", "field_type", "taxonomy", "aggregation", "required")
    readonly_fields = fields
    can_delete = False


@admin.register(Question)
class QuestionAdmin(AuditedSetupAdmin):
    list_display = ("__str__", "questionnaire")
    inlines = [FieldInline]
    # What the question asks is what its answers answered: it changes in the definition file,
    # whose loader keeps the history; here only the help text may be clarified.
    readonly_fields = ("questionnaire", "key", "number", "title", "text")


class OptionsKeepTheirMeaning(BaseInlineFormSet):
    """A taxonomy's options in the admin, as the definition loader allows: new options may be
    added, but one that answers use is never relabelled, re-keyed or deleted (a submitted "Yes"
    must not come to read "No")."""

    def clean(self) -> None:
        super().clean()
        if self.instance.pk is None or any(form.errors for form in self.forms):
            return
        before = {o.key: o.label for o in Option.objects.filter(taxonomy=self.instance)}
        after = {
            form.cleaned_data["key"]: form.cleaned_data["label"]
            for form in self.forms
            if form.cleaned_data and form not in self.deleted_forms
        }
        if problems := option_change_problems(
            used=option_keys_in_use(self.instance.pk), before=before, after=after
        ):
            raise ValidationError(problems)


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0
    formset = OptionsKeepTheirMeaning


@admin.register(Taxonomy)
class TaxonomyAdmin(AuditedSetupAdmin):
    list_display = ("key", "name", "questionnaire")
    inlines = [OptionInline]
