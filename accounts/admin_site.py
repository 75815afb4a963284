"""Django's admin on our own rules: only coordinators (and superusers) get in, and only once they
have passed the second factor when it is required. The admin is for what the coordinators' pages
do not cover; it never shows responses (no response model is registered)."""

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class AlliedAdminSite(AdminSite):
    site_header = _("Allied Responses administration")
    site_title = _("Allied Responses administration")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        if not (user.is_superuser or getattr(user, "is_coordinator", False)):
            return False
        if settings.TWO_FACTOR_REQUIRED:
            return bool(getattr(user, "is_verified", lambda: False)())
        return True


class AlliedAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.AlliedAdminSite"
