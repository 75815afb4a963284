from typing import Any, cast

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.models import Invitation, User
from accounts.services import admin_access_sync
from audit.admin import AuditedChangesMixin
from audit.services import audit_record

# What only a superuser changes in the admin. Superuser, staff, groups and permissions would let a
# coordinator raise themselves above the coordinators' rules (a superuser also reads every
# authenticator's secret); the cross-country role and the active flag are changed on the
# coordinators' pages, which refuse one's own account, keep the staff flag and group in step and
# withdraw a former coordinator's invitations.
SUPERUSER_ONLY_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions", "global_role", "is_active")


def _staff_member(request: HttpRequest) -> User:
    """The admin's signed-in user: AdminSite.admin_view lets no anonymous visitor reach a
    ModelAdmin (for the type checker, which sees request.user as User | AnonymousUser)."""
    return cast(User, request.user)


@admin.register(User)
class AlliedUserAdmin(AuditedChangesMixin, UserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "global_role", "is_active")
    list_filter = ("global_role", "is_active", "is_staff")
    # UserAdmin sets its fieldsets (a tuple); the stubs keep ModelAdmin's optional type for it.
    fieldsets = (*cast(tuple[Any, ...], UserAdmin.fieldsets), (_("Role"), {"fields": ("global_role",)}))
    search_fields = ("username", "email", "first_name", "last_name")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        readonly = tuple(super().get_readonly_fields(request, obj))
        staff = _staff_member(request)
        if permissions.can_set_privileges_and_passwords(staff) or obj is None:  # the add form has none
            return readonly
        return (*readonly, *SUPERUSER_ONLY_FIELDS)

    def _protects(self, request: HttpRequest, obj: Any) -> bool:
        """A superuser's account (its password included) is changed by superusers alone."""
        return obj is not None and not permissions.can_change_account(_staff_member(request), obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._protects(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._protects(request, obj) and super().has_delete_permission(request, obj)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if "global_role" in form.changed_data:  # a superuser's change: staff flag and group follow
            admin_access_sync(form.instance)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        """Nobody but a superuser sees a password field (its hash, the link to set it)."""
        fieldsets = super().get_fieldsets(request, obj)
        if permissions.can_set_privileges_and_passwords(_staff_member(request)):
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "password"]})
            for name, options in fieldsets
        ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # The add form sets the new account's password: people join by invitation, setting their
        # own (coordinators invite on their pages).
        staff = _staff_member(request)
        return permissions.can_set_privileges_and_passwords(staff) and super().has_add_permission(request)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        """Only a superuser sets another person's password, and it is audited like any other
        change of their account. A coordinator who could would sign in as that person: a lost
        password is recovered by its owner, through a link sent to them."""
        if not permissions.can_set_privileges_and_passwords(_staff_member(request)):
            raise PermissionDenied
        before = User.objects.filter(pk=unquote(id)).values_list("password", flat=True).first()
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST":
            target = User.objects.filter(pk=unquote(id)).first()
            if target is not None and target.password != before:
                audit_record(
                    user=request.user,
                    action=self.audit_action,
                    model=target._meta.label,
                    object=str(target),
                    fields=["password"],
                )
        return response


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations are sent and withdrawn on the coordinators' pages, which mail the
    link and audit the change (nor are they deleted here: the list is their record)."""

    list_display = ("email", "role", "country", "created_at", "expires_at", "accepted_at", "revoked_at")
    list_filter = ("role", "country")
    search_fields = ("email",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
