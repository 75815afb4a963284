from django.contrib import admin

from accounts.admin import AuditedChangesMixin
from audit.models import AuditEvent
from questionnaire.models import Field, Option, Question, Questionnaire, Round, Taxonomy

# A round's status, deadline and marking change on the coordinators' Rounds page, whose service
# checks them, tells the countries and audits the change; here they are only shown.
ROUND_READ_ONLY = ("status", "deadline", "handling_marking")


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


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0


@admin.register(Taxonomy)
class TaxonomyAdmin(AuditedSetupAdmin):
    list_display = ("key", "name", "questionnaire")
    inlines = [OptionInline]
