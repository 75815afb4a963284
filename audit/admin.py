from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from audit.models import AuditEvent
from audit.services import audit_record


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "action", "response", "version")
    list_filter = ("action",)
    search_fields = ("user__username",)

    # The log is append-only, also for the admin.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _changes(form: Any) -> dict[str, list[str]]:
    """Each changed field of an admin form as [before, after], as text (passwords never)."""
    return {
        name: [str(form.initial.get(name, "")), str(form.cleaned_data.get(name, ""))]
        for name in sorted(form.changed_data)
        if "password" not in name
    }


if TYPE_CHECKING:
    # The mixin goes before admin.ModelAdmin in an admin's bases: typed as one so that its super()
    # calls resolve. At runtime its base stays object.
    _AdminBase = admin.ModelAdmin[Any]
else:
    _AdminBase = object


class AuditedChangesMixin(_AdminBase):
    """Changes made in Django's admin reach our audit log, like those made on the coordinators'
    pages (the admin's own history is per object and not searchable by country)."""

    audit_action = AuditEvent.Action.ACCOUNT_CHANGE

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            user=request.user,
            action=self.audit_action,
            model=obj._meta.label,
            object=str(obj),
            created=not change,
            fields=sorted(form.changed_data),
            changes=_changes(form),
            **({"country": obj.country.code} if getattr(obj, "country", None) else {}),
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Inline rows (a taxonomy's options, a questionnaire's rounds) are audited one by one,
        with what changed from what to what, like the object they belong to."""
        deleted = [
            {"model": f.instance._meta.label, "object": str(f.instance), "deleted": True}
            for f in formset.deleted_forms
            if f.instance.pk is not None
        ]
        edited = [
            (f, f.instance.pk is None)
            for f in formset.forms
            if f not in formset.deleted_forms and f.has_changed()
        ]
        super().save_formset(request, form, formset, change)
        for detail in deleted:
            audit_record(user=request.user, action=self.audit_action, inline_of=str(form.instance), **detail)
        for inline_form, created in edited:
            audit_record(
                user=request.user,
                action=self.audit_action,
                inline_of=str(form.instance),
                model=inline_form.instance._meta.label,
                object=str(inline_form.instance),
                created=created,
                fields=sorted(inline_form.changed_data),
                changes=_changes(inline_form),
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        detail = {"model": obj._meta.label, "object": str(obj), "deleted": True}
        super().delete_model(request, obj)
        audit_record(user=request.user, action=self.audit_action, **detail)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        """The list's "delete selected" action: one event per object, as for a single delete."""
        details = [{"model": obj._meta.label, "object": str(obj), "deleted": True} for obj in queryset]
        super().delete_queryset(request, queryset)
        for detail in details:
            audit_record(user=request.user, action=self.audit_action, **detail)
