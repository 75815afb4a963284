"""The questionnaire's texts in every interface language (django-modeltranslation): each field
named here gets one column per language (`title_en`, `title_fr`, `title_de`), and reading `title`
gives the active language's text, or the English one where a translation is missing. Answers are
stored by option key, so answers given on pages in different languages compare as one."""

from modeltranslation.translator import TranslationOptions, register

from questionnaire.models import Field, Option, Question, Questionnaire, Taxonomy


@register(Questionnaire)
class QuestionnaireTexts(TranslationOptions):
    fields = ("title", "description")


@register(Taxonomy)
class TaxonomyTexts(TranslationOptions):
    fields = ("name",)


@register(Option)
class OptionTexts(TranslationOptions):
    fields = ("label",)


@register(Question)
class QuestionTexts(TranslationOptions):
    fields = ("title", "text", "help_text")


@register(Field)
class FieldTexts(TranslationOptions):
    fields = ("label", "help_text", "unit", "mark")
