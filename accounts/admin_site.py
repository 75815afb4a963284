"""Django's admin on our own rules: only coordinators (and superusers) get in, and only once they
have passed the second factor when it is required. The admin is for what the coordinators' pages
do not cover; it never shows responses (no response model is registered)."""

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class AlliedAdminSite(AdminSite):
    site_header = _("Allied Responses administration")
    site_title = _("Allied Responses administration")

    def has_permission(self, request: HttpRequest) -> bool:
        # Imported here: this module is read while the apps load, before accounts' models exist.
        from accounts.permissions import can_open_admin

        user = request.user
        passed = not settings.TWO_FACTOR_REQUIRED or bool(getattr(user, "is_verified", lambda: False)())
        return can_open_admin(user, second_factor_passed=passed)

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """One way in: the site's own sign-in page, with its form checks, lockout and second
        factor. The admin's login form is never shown nor posted to (it answered a 300-character
        user name with a 500 and had no lockout of its own)."""
        # Imported here: this module is read while the apps load, before auth's models exist.
        from django.contrib.auth.views import redirect_to_login

        wanted = request.GET.get("next") or reverse("admin:index")
        return redirect_to_login(wanted, login_url=reverse("login"))


class AlliedAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.AlliedAdminSite"
