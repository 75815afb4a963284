from django.contrib import admin

from questionnaire.models import Field, Option, Question, Questionnaire, Round, Taxonomy


class RoundInline(admin.TabularInline):
    model = Round
    extra = 0


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ("title", "key", "handling_marking", "definition_version", "loaded_at")
    inlines = [RoundInline]
    # The structure comes from the definition file; editing it here would drift from the file.
    readonly_fields = ("key", "definition_version", "source_file", "loaded_at")


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ("title", "questionnaire", "status", "opens_at", "deadline", "handling_marking")
    list_filter = ("status", "questionnaire")


class FieldInline(admin.TabularInline):
    model = Field
    fk_name = "question"
    extra = 0
    fields = ("position", "key", "field_type", "taxonomy", "aggregation", "required")
    readonly_fields = fields
    can_delete = False


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "questionnaire")
    inlines = [FieldInline]


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0


@admin.register(Taxonomy)
class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "questionnaire")
    inlines = [OptionInline]
