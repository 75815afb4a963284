from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class AlliedUserAdmin(UserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "global_role", "is_active")
    list_filter = ("global_role", "is_active", "is_staff")
    fieldsets = (*UserAdmin.fieldsets, (_("Role"), {"fields": ("global_role",)}))
    search_fields = ("username", "email", "first_name", "last_name")
