"""Pages of one's own account: accepting an invitation, setting up and passing the second factor,
backup codes. The coordinators' account pages are in `coordination.views`."""

from base64 import b32encode
from typing import Any, cast

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django.views.i18n import set_language
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from accounts.forms import EnrolForm, InvitationAcceptForm, SecondFactorForm
from accounts.http import AuthenticatedHttpRequest
from accounts.middleware import PREFERRED_LANGUAGE_SESSION_KEY, supported_language
from accounts.models import Invitation
from accounts.selectors import backup_codes_left, has_authenticator, second_factor_pending
from accounts.services import (
    backup_codes_regenerate,
    invitation_accept,
    invitation_problem,
    second_factor_check,
    token_hash,
    two_factor_confirm,
    two_factor_pending_device,
    two_factor_recover,
    two_factor_recovery_user,
    user_language_set,
)
from core.forms import add_service_errors
from core.ratelimit import rate_limit_hit

# The authenticator this browser session is setting up.
SETUP_SESSION_KEY = "two_factor_setup"


def _second_factor_passed(request: HttpRequest, device) -> None:
    """Marks the session verified with `device`, under a new session key: a key seen before the
    second factor (a fixed or stolen one) must not become a verified session."""
    request.session.cycle_key()
    otp_login(request, device)


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    invitation = Invitation.objects.select_related("country").filter(token_hash=token_hash(token)).first()
    problem = invitation_problem(invitation)
    if problem:
        status = 404 if invitation is None else 410
        return render(request, "accounts/invitation_problem.html", {"problem": problem}, status=status)
    # invitation_problem names a missing invitation as a problem: there is one from here on.
    invitation = cast(Invitation, invitation)
    if request.user.is_authenticated:
        return render(request, "accounts/invitation_signed_in.html", status=409)
    form = InvitationAcceptForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(
                token=token,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            if settings.TWO_FACTOR_REQUIRED:
                messages.success(request, _("Your account is ready. Now set up your second factor."))
                return redirect("accounts:two_factor_setup")
            messages.success(request, _("Your account is ready."))
            return redirect("home")
    context = {
        "form": form,
        "invitation": invitation,
        "role": invitation.role_label,
        "two_factor_required": settings.TWO_FACTOR_REQUIRED,
    }
    return render(request, "accounts/invitation_accept.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    # Someone holding only the password must not swap the authenticator for their own.
    if has_authenticator(request.user) and second_factor_pending(request.user):
        return redirect(
            f"{reverse('accounts:two_factor_verify')}?next={reverse('accounts:two_factor_setup')}"
        )
    # The secret being set up belongs to this browser session alone (see two_factor_pending_device).
    device = two_factor_pending_device(request.user, request.session.get(SETUP_SESSION_KEY))
    request.session[SETUP_SESSION_KEY] = device.pk
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor_confirm(user=request.user, device=device, token=form.cleaned_data["code"])
        except PermissionDenied:
            # Confirmed a moment ago from another tab, which has shown the backup codes.
            messages.info(request, _("Your second factor is already set up."))
            return redirect(_next_url(request))
        if codes is None:
            form.add_error(
                "code",
                _("That code does not match. Check the phone's clock and type the code shown now."),
            )
        else:
            del request.session[SETUP_SESSION_KEY]
            _second_factor_passed(request, device)
            return render(request, "accounts/backup_codes.html", {"codes": codes, "next": _next_url(request)})
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "qr_data_uri": qr.svg_data_uri(scale=5, border=2),
        "secret": _grouped(b32encode(device.bin_key).decode()),
        "replacing": has_authenticator(request.user),
        "next": _next_url(request),
    }
    return render(request, "accounts/two_factor_setup.html", context)


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not has_authenticator(request.user):
        return redirect("accounts:two_factor_setup")
    if not second_factor_pending(request.user) and settings.TWO_FACTOR_REQUIRED:
        return redirect(_next_url(request))
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, throttled = second_factor_check(user=request.user, code=form.cleaned_data["code"])
        if device is not None:
            _second_factor_passed(request, device)
            if isinstance(device, StaticDevice):
                left = backup_codes_left(request.user)
                messages.warning(
                    request,
                    _("You used a backup code; %(n)s are left. Make new ones on the security page.")
                    % {"n": left},
                )
            return redirect(_next_url(request))
        if throttled:
            form.add_error(
                "code",
                _("Too many wrong codes in a row. Wait a few seconds, then type the code shown now."),
            )
        else:
            form.add_error(
                "code", _("That code is not right. Type the code your app shows now, or a backup code.")
            )
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def security(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One's own second factor: whether it is set up, backup codes left, new codes."""
    enrolled = has_authenticator(request.user)
    if request.method == "POST" and enrolled:
        signed_in_with_a_code = isinstance(getattr(request.user, "otp_device", None), StaticDevice)
        codes = backup_codes_regenerate(user=request.user)
        if signed_in_with_a_code:
            # The old codes' device is gone, and with it every session it verified: this one,
            # which has just shown the new codes, stays signed in on the new device.
            _second_factor_passed(request, StaticDevice.objects.get(user=request.user))
        return render(
            request, "accounts/backup_codes.html", {"codes": codes, "next": reverse("accounts:security")}
        )
    context = {
        "enrolled": enrolled,
        "codes_left": backup_codes_left(request.user) if enrolled else 0,
        "required": settings.TWO_FACTOR_REQUIRED,
    }
    return render(request, "accounts/security.html", context)


class PasswordResetRequestView(auth_views.PasswordResetView):
    """Django's reset request, counted per client address: the page says the same whether or not
    an account has that address (nobody learns who has one), and a client gets at most
    PASSWORD_RESETS_PER_WINDOW sent per 10 minutes."""

    def form_valid(self, form: Any) -> HttpResponse:
        client = self.request.META.get("REMOTE_ADDR", "")
        retry_after = rate_limit_hit(
            scope=f"password-reset:{client}",
            user_id=0,
            limit=settings.PASSWORD_RESETS_PER_WINDOW,
            window_seconds=600,
        )
        if retry_after is not None:
            return redirect("password_reset_done")  # the same page, and nothing is sent
        return super().form_valid(form)


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_recover_view(request: HttpRequest, token: str) -> HttpResponse:
    """The owner's second-factor recovery link. Opening it shows a button (a mail scanner that
    fetches links must not use it up); pressing it removes the old authenticator."""
    target = two_factor_recovery_user(token)
    if target is None:
        return render(request, "accounts/two_factor_recover.html", {"valid": False}, status=400)
    if request.method == "POST":
        two_factor_recover(token=token)
        if request.user.is_authenticated:
            logout(request)
        messages.success(
            request, _("Your old second factor is removed. Sign in and set up a new authenticator.")
        )
        return redirect("login")
    return render(request, "accounts/two_factor_recover.html", {"valid": True, "target": target})


@require_http_methods(["POST"])
def language_choose(request: HttpRequest) -> HttpResponse:
    """The language switcher: Django's set_language (the language cookie for this browser, a
    safe redirect back), and, for a signed-in person, their account's language from now on, over
    whatever their browser says."""
    language = supported_language(request.POST.get("language"))
    if language is None:
        messages.error(request, _("This language is not offered."))
    elif request.user.is_authenticated:
        user_language_set(user=request.user, language=language)
        request.session[PREFERRED_LANGUAGE_SESSION_KEY] = language
    return set_language(request)
