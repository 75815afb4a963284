"""Country names in every interface language (django-modeltranslation, as for the
questionnaire's texts): `name` reads the active language's name, the English one if missing."""

from modeltranslation.translator import TranslationOptions, register

from responses.models import Country


@register(Country)
class CountryNames(TranslationOptions):
    fields = ("name",)
