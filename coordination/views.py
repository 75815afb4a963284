"""The coordinator's pages: rounds, reminders, the audit log."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coordination.forms import AuditFilterForm, RoundForm
from coordination.selectors import audit_events_matching
from coordination.services import countries_without_submission, reminders_send_now, round_update
from questionnaire.models import Round
from reports.exporters.safety import neutralise_formula


def _coordinator(request: HttpRequest) -> None:
    if not request.user.is_coordinator:
        raise PermissionDenied


@login_required
@require_GET
def round_list(request: HttpRequest) -> HttpResponse:
    _coordinator(request)
    rounds = Round.objects.select_related("questionnaire").order_by("-opens_at", "-pk")
    rows = [(r, len(countries_without_submission(r))) for r in rounds]
    return render(request, "coordination/round_list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
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
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The round was updated."))
            return redirect("coordination:rounds")
    return render(request, "coordination/round_form.html", {"form": form, "round": round_})


@login_required
@require_POST
def round_remind(request: HttpRequest, pk: int) -> HttpResponse:
    _coordinator(request)
    round_ = get_object_or_404(Round, pk=pk)
    sent = reminders_send_now(round=round_, user=request.user)
    messages.success(request, _("Reminders sent to %(n)s countries without a submission.") % {"n": sent})
    return redirect("coordination:rounds")


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    _coordinator(request)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(audit_events_matching(filters), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "coordination/audit_log.html", {"form": form, "page": page, "query": query.urlencode()}
    )


@login_required
@require_GET
def audit_log_csv(request: HttpRequest) -> HttpResponse:
    _coordinator(request)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(["when", "user", "action", "response", "version", "detail"])
    for event in audit_events_matching(filters).iterator():
        writer.writerow(
            [
                event.at.isoformat(),
                neutralise_formula(event.user.username if event.user else ""),
                event.action,
                event.response_id or "",
                event.version_id or "",
                neutralise_formula(str(event.detail)),
            ]
        )
    return response
