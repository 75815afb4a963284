from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import Invitation, User
from audit.models import AuditEvent
from audit.services import audit_record


class AuditedChangesMixin:
    """Changes to accounts made in Django's admin reach our audit log, like those made on the
    coordinators' pages (the admin's own history is per object and not searchable by country)."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            user=request.user,
            action=AuditEvent.Action.ACCOUNT_CHANGE,
            model=obj._meta.label,
            object=str(obj),
            created=not change,
            fields=sorted(form.changed_data),
            **({"country": obj.country.code} if getattr(obj, "country", None) else {}),
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        detail = {"model": obj._meta.label, "object": str(obj), "deleted": True}
        super().delete_model(request, obj)
        audit_record(user=request.user, action=AuditEvent.Action.ACCOUNT_CHANGE, **detail)


@admin.register(User)
class AlliedUserAdmin(AuditedChangesMixin, UserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "global_role", "is_active")
    list_filter = ("global_role", "is_active", "is_staff")
    fieldsets = (*UserAdmin.fieldsets, (_("Role"), {"fields": ("global_role",)}))
    search_fields = ("username", "email", "first_name", "last_name")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations are sent and withdrawn on the coordinators' pages, which mail the
    link and audit the change."""

    list_display = ("email", "role", "country", "created_at", "expires_at", "accepted_at", "revoked_at")
    list_filter = ("role", "country")
    search_fields = ("email",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
