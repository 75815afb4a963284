"""The coordinator's pages: accounts and invitations, rounds, reminders, the audit log."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import permissions as account_permissions
from accounts.forms import GlobalRoleForm, InvitationForm, MembershipForm, UserFilterForm
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Invitation, User
from accounts.selectors import (
    has_authenticator,
    invitations_open,
    invitations_recent,
    memberships_of,
    users_for_management,
)
from accounts.services import (
    invitation_revoke,
    invitation_send,
    password_link_send,
    two_factor_recovery_link_send,
    user_deactivate,
    user_global_role_set,
    user_membership_set,
    user_reactivate,
)
from coordination import permissions as coordination_permissions
from coordination.exports import audit_log_csv_write
from coordination.forms import AuditFilterForm, RoundForm
from coordination.selectors import audit_events_matching
from coordination.services import countries_without_submission, reminders_send_now, round_update
from core.forms import add_service_errors, message_service_error
from questionnaire.models import Round


def _coordinator(request: AuthenticatedHttpRequest) -> None:
    if not coordination_permissions.can_coordinate(request.user):
        raise PermissionDenied


@login_required
@require_GET
def round_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _coordinator(request)
    rounds = Round.objects.select_related("questionnaire").order_by("-opens_at", "-pk")
    rows = [(r, len(countries_without_submission(r))) for r in rounds]
    return render(request, "coordination/round_list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def round_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _coordinator(request)
    round_ = get_object_or_404(Round.objects.select_related("questionnaire"), pk=pk)
    form = RoundForm(request.POST or None, instance=Round.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            round_update(
                round=round_,
                user=request.user,
                status=form.cleaned_data["status"],
                deadline=form.cleaned_data["deadline"],
                handling_marking=form.cleaned_data["handling_marking"],
                addressee_codes=[c.code for c in form.cleaned_data["addressees"]],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The round was updated."))
            return redirect("coordination:rounds")
    return render(request, "coordination/round_form.html", {"form": form, "round": round_})


@login_required
@require_POST
def round_remind(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _coordinator(request)
    round_ = get_object_or_404(Round, pk=pk)
    sent = reminders_send_now(round=round_, user=request.user)
    messages.success(request, _("Reminders sent to %(n)s countries without a submission.") % {"n": sent})
    return redirect("coordination:rounds")


def _filtered_page(
    request: HttpRequest, form_class: type[forms.Form], rows_matching: Callable[[dict[str, Any]], QuerySet]
) -> dict[str, Any]:
    """A searchable list: the filter form, the page of rows it selects, and the query string
    (without the page number) that the pagination links carry on."""
    form = form_class(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(rows_matching(filters), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {"form": form, "page": page, "query": query.urlencode()}


@login_required
@require_GET
def audit_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    _coordinator(request)
    context = _filtered_page(request, AuditFilterForm, audit_events_matching)
    return render(request, "coordination/audit_log.html", context)


@login_required
@require_GET
def audit_log_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    _coordinator(request)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    audit_log_csv_write(response, audit_events_matching(filters).iterator())
    return response


def _account_manager(request: AuthenticatedHttpRequest) -> None:
    if not account_permissions.can_manage_accounts(request.user):
        raise PermissionDenied


@login_required
@require_GET
def user_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _account_manager(request)
    context = _filtered_page(request, UserFilterForm, users_for_management)
    context["open_invitations"] = invitations_open().count()
    return render(request, "coordination/user_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def user_invite(request: AuthenticatedHttpRequest) -> HttpResponse:
    _account_manager(request)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitation_send(
                email=form.cleaned_data["email"],
                country=form.cleaned_data["country"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
                accept_url_for=lambda token: request.build_absolute_uri(
                    reverse("accounts:invitation_accept", args=[token])
                ),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s; the link works once, until %(expires)s (UTC).")
                % {"email": invitation.email, "expires": f"{invitation.expires_at:%Y-%m-%d %H:%M}"},
            )
            return redirect("coordination:invitations")
    return render(
        request, "coordination/user_invite.html", {"form": form, "hours": settings.INVITATION_VALID_HOURS}
    )


@login_required
@require_GET
def invitation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _account_manager(request)
    return render(
        request,
        "coordination/invitation_list.html",
        {"invitations": invitations_recent(), "now": timezone.now()},
    )


@login_required
@require_POST
def invitation_revoke_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _account_manager(request)
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        invitation_revoke(invitation=invitation, user=request.user)
    except ValidationError as exc:
        message_service_error(request, exc)
    else:
        messages.success(
            request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
        )
    return redirect("coordination:invitations")


# The coordinator's actions on one account (the user page's buttons): each calls one service
# and returns what the page says once it is done; a refusal is the service's ValidationError.
# `page_forms` holds the page's forms, so that a rejected one is shown again with its errors.
AccountAction = Callable[[AuthenticatedHttpRequest, User, dict[str, forms.Form]], str]


def _deactivate(request: AuthenticatedHttpRequest, target: User, page_forms: dict[str, forms.Form]) -> str:
    user_deactivate(target=target, user=request.user)
    return _("%(name)s can no longer sign in.") % {"name": target.username}


def _reactivate(request: AuthenticatedHttpRequest, target: User, page_forms: dict[str, forms.Form]) -> str:
    user_reactivate(target=target, user=request.user)
    return _("%(name)s can sign in again.") % {"name": target.username}


def _reset_two_factor(
    request: AuthenticatedHttpRequest, target: User, page_forms: dict[str, forms.Form]
) -> str:
    two_factor_recovery_link_send(
        target=target,
        user=request.user,
        link_for=lambda token: request.build_absolute_uri(
            reverse("accounts:two_factor_recover", args=[token])
        ),
    )
    return _(
        "A link to set up a new second factor was sent to %(name)s's own address; "
        "the old one works until the link is used."
    ) % {"name": target.username}


def _send_password_link(
    request: AuthenticatedHttpRequest, target: User, page_forms: dict[str, forms.Form]
) -> str:
    password_link_send(
        target=target,
        user=request.user,
        link_for=lambda uid, token: request.build_absolute_uri(
            reverse("password_reset_confirm", args=[uid, token])
        ),
    )
    return _("A link to choose a new password was sent to %(name)s's own address.") % {
        "name": target.username
    }


def _set_global_role(
    request: AuthenticatedHttpRequest, target: User, page_forms: dict[str, forms.Form]
) -> str:
    form = page_forms["role_form"] = GlobalRoleForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Choose a valid role."))
    user_global_role_set(target=target, global_role=form.cleaned_data["global_role"], user=request.user)
    return _("The role was changed.")


def _set_membership(
    request: AuthenticatedHttpRequest, target: User, page_forms: dict[str, forms.Form]
) -> str:
    form = page_forms["membership_form"] = MembershipForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Choose a country and a role."))
    user_membership_set(
        target=target, country=form.cleaned_data["country"], role=form.cleaned_data["role"], user=request.user
    )
    return _("The country role was changed.")


def _unknown_action(
    request: AuthenticatedHttpRequest, target: User, page_forms: dict[str, forms.Form]
) -> str:
    raise ValidationError(_("Unknown action."))


ACCOUNT_ACTIONS: dict[str, AccountAction] = {
    "deactivate": _deactivate,
    "reactivate": _reactivate,
    "reset_2fa": _reset_two_factor,
    "password_link": _send_password_link,
    "global_role": _set_global_role,
    "membership": _set_membership,
}


@login_required
@require_http_methods(["GET", "POST"])
def user_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _account_manager(request)
    target = get_object_or_404(User, pk=pk)
    own = target.pk == request.user.pk
    page_forms: dict[str, forms.Form] = {
        "role_form": GlobalRoleForm(initial={"global_role": target.global_role}),
        "membership_form": MembershipForm(),
    }
    status = 200
    if request.method == "POST" and own:
        messages.error(request, _("You cannot change your own account here; ask another coordinator."))
        status = 400
    elif request.method == "POST":
        action = ACCOUNT_ACTIONS.get(request.POST.get("action", ""), _unknown_action)
        try:
            messages.success(request, action(request, target, page_forms))
        except ValidationError as exc:
            message_service_error(request, exc)
            status = 400
        else:
            return redirect("coordination:user_detail", pk=target.pk)
    context = {
        "target": target,
        "own": own,
        "memberships": memberships_of(target),
        **page_forms,
        "has_authenticator": has_authenticator(target),
    }
    return render(request, "coordination/user_detail.html", context, status=status)
