from django.contrib import admin

from audit.admin import AuditedChangesMixin
from audit.models import AuditEvent
from responses.models import Country, Membership


@admin.register(Country)
class CountryAdmin(AuditedChangesMixin, admin.ModelAdmin):
    audit_action = AuditEvent.Action.ADMIN_CHANGE
    list_display = ("name", "code", "is_eu_member", "is_nato_member", "is_european", "is_invitable")
    list_filter = ("is_eu_member", "is_nato_member", "is_european", "is_invitable")
    search_fields = ("name", "code")
    # `name` is the name in the coordinator's own language (django-modeltranslation writes it to
    # that language's column); the other languages come from responses/data/countries.yaml.
    exclude = ("name_en", "name_fr", "name_de")


@admin.register(Membership)
class MembershipAdmin(AuditedChangesMixin, admin.ModelAdmin):
    # Responses and their versions are deliberately not in the admin: answers change only through
    # the services, which keep versions and enforce who may see a draft.
    list_display = ("user", "country", "role")
    list_filter = ("role", "country")
    search_fields = ("user__username", "country__name")
    autocomplete_fields = ("user", "country")
