"""Analysts compare and request reports. Country staff never reach any of it."""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from csp.decorators import csp_update
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from audit.models import AuditEvent
from audit.services import audit_record
from core.forms import add_service_errors, message_service_error
from questionnaire.models import Round
from questionnaire.selectors import questions_with_fields, round_current
from reports import selectors as report_selectors
from reports.decisions import (
    OptionMatrix,
    agreement_table,
    option_matrix,
    sanctions_matrix,
    stationing_table,
    submission_changes,
    troops_table,
)
from reports.exporters import FORMATS
from reports.forms import ComparisonFilterForm, ReportLanguageForm, ReportRequestForm
from reports.models import Report, ReportFile
from reports.selectors import comparison_build, report_changed_countries, reports_visible_to
from reports.services import (
    downloads_exhausted,
    report_file_stamped,
    report_in_language,
    report_rebuild,
    report_request,
    report_retry,
    seen_versions_record,
)
from responses import permissions


def analyst_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not permissions.is_cross_country_reader(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _round_or_404() -> Round:
    current = round_current()
    if current is None:
        raise Http404
    return current


def _filtered_comparison(
    request: HttpRequest, current: Round, *, by_question: bool = True
) -> tuple[Any, ComparisonFilterForm]:
    """The comparison as the filter form asks. A decision view (`by_question` False) is about
    fixed questions: the question filter does not apply to it, and its page says so, rather
    than showing an empty view."""
    questions = list(questions_with_fields(current))
    form = ComparisonFilterForm(request.GET or None, questions=questions)
    group: list[str] = ["all"]
    numbers = None
    if form.is_valid():
        group = form.cleaned_data["group"] or ["all"]
        numbers = form.cleaned_data["questions"] or None
    form.questions_ignored = bool(numbers) and not by_question
    if not by_question:
        numbers = None
    return comparison_build(round=current, group=group, question_numbers=numbers, questions=questions), form


@analyst_required
@require_GET
def comparison(request: AuthenticatedHttpRequest) -> HttpResponse:
    current = _round_or_404()
    result, form = _filtered_comparison(request, current)
    # The form set these choices as a list (the stubs type the property as any kind of choices).
    question_choices = cast(list[Any], cast(forms.ChoiceField, form.fields["questions"]).choices)
    if len(result.blocks) == len(question_choices):
        # Only a view of every question counts as having seen a version.
        seen_versions_record(user=request.user, comparison=result)
    return render(
        request,
        "reports/comparison.html",
        {
            "comparison": result,
            "form": form,
            "tab": "matrix",
        },
    )


def _chart(
    chart_id: str, title: str, labels: list[str], datasets: list[dict[str, Any]], **extra: Any
) -> dict:
    return {
        "id": chart_id,
        "json_id": f"{chart_id}-data",
        "title": title,
        "data": {"labels": labels, "datasets": datasets, **extra},
    }


@analyst_required
@require_GET
def troops_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    current = _round_or_404()
    result, form = _filtered_comparison(request, current, by_question=False)
    table = troops_table(result)
    chart = _chart(
        "troops-chart",
        _("Troops offered and force size proposed, by response"),
        [line.column.label for line in table.lines],
        [
            {"label": _("Troops offered"), "data": [line.offered or 0 for line in table.lines]},
            {"label": _("Force size proposed"), "data": [line.proposed or 0 for line in table.lines]},
        ],
    )
    return render(
        request,
        "reports/view_troops.html",
        {
            "comparison": result,
            "form": form,
            "tab": "troops",
            "rows": table.lines,
            "offered_total": table.offered_total,
            "estimate_total": table.estimate_total,
            "force_stats": table.force.summary.numbers if table.force else None,
            "troops_summary": table.troops.summary if table.troops else None,
            "force_summary": table.force.summary if table.force else None,
            "coverage": table.coverage,
            "chart": chart,
        },
    )


def _matrix_chart(chart_id: str, title: str, matrix: OptionMatrix) -> dict[str, Any]:
    """How many responses name each option of an option matrix, as a horizontal bar chart."""
    labels = [label for _key, label in matrix.options]
    return _chart(
        chart_id, title, labels, [{"label": _("Responses"), "data": matrix.totals}], horizontal=True
    )


@analyst_required
@require_GET
def us_support_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    current = _round_or_404()
    result, form = _filtered_comparison(request, current, by_question=False)
    matrix = option_matrix(result, "us_support")
    chart = _matrix_chart("us-support-chart", _("Responses requiring each kind of US support"), matrix)
    return render(
        request,
        "reports/view_matrix.html",
        {
            "comparison": result,
            "form": form,
            "tab": "us_support",
            "matrix": matrix,
            "chart": chart,
            "title": _("US support required, by country and category"),
        },
    )


@analyst_required
@require_GET
def sanctions_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    current = _round_or_404()
    result, form = _filtered_comparison(request, current, by_question=False)
    matrix = sanctions_matrix(result)
    chart = _matrix_chart("sanctions-chart", _("Responses ready to take each sanctions measure"), matrix)
    return render(
        request,
        "reports/view_matrix.html",
        {
            "comparison": result,
            "form": form,
            "tab": "sanctions",
            "matrix": matrix,
            "chart": chart,
            "title": _("Sanctions measures, by country"),
            "extra_columns": True,
        },
    )


@analyst_required
@require_GET
def stationing_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    current = _round_or_404()
    result, form = _filtered_comparison(request, current, by_question=False)
    table = stationing_table(result)
    chart = _chart(
        "stationing-chart",
        _("Responses naming each stationing area"),
        [o.label for o in table.area_counts],
        [{"label": _("Responses"), "data": [o.count for o in table.area_counts]}],
        horizontal=True,
    )
    return render(
        request,
        "reports/view_stationing.html",
        {
            "comparison": result,
            "form": form,
            "tab": "stationing",
            "fields": table.fields,
            "lines": table.lines,
            "chart": chart,
            "area_counts": table.area_counts,
            "months": table.months.numbers if table.months else None,
            "months_summary": table.months,
        },
    )


@analyst_required
@require_GET
def agreement_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    current = _round_or_404()
    result, form = _filtered_comparison(request, current)
    answered, ranked = agreement_table(result)
    chart = _chart(
        "divergence-chart",
        _("Divergence per question (0 = all agree, 1 = evenly split)"),
        [f"Q{q.number}: {s.field.label}" for q, s in ranked],
        [{"label": _("Divergence"), "data": [s.divergence or 0 for _q, s in ranked]}],
        horizontal=True,
    )
    return render(
        request,
        "reports/view_agreement.html",
        {
            "comparison": result,
            "form": form,
            "tab": "agreement",
            "summaries": answered,
            "chart": chart,
            "ranked": ranked,
        },
    )


@analyst_required
@require_GET
def changes_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What changed between each country's successive submissions, and since this analyst last
    opened the comparison."""
    current = _round_or_404()
    result, form = _filtered_comparison(request, current)
    changes = submission_changes(result, request.user)
    return render(
        request,
        "reports/view_changes.html",
        {
            "comparison": result,
            "form": form,
            "tab": "changes",
            "resubmitted": changes.resubmitted,
            "since_seen": changes.since_seen,
        },
    )


@login_required
@require_GET
def status_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Answer status by country, for coordinators: never a count of filled fields."""
    if not permissions.can_see_answer_status(request.user):
        raise PermissionDenied
    current = _round_or_404()
    lines, counts = report_selectors.answer_status(current)
    return render(
        request,
        "reports/view_status.html",
        {"round": current, "lines": lines, "counts": counts, "tab": "status"},
    )


# -- built reports -----------------------------------------------------------------------------


@analyst_required
@require_GET
def report_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    reports = list(reports_visible_to(request.user)[:200])
    changed = report_changed_countries(reports)
    for report in reports:
        report.changed_countries = changed.get(report.pk, [])
    return render(request, "reports/report_list.html", {"reports": reports, "now": timezone.now()})


@analyst_required
@require_http_methods(["GET", "POST"])
def report_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    current = _round_or_404()
    questions = list(questions_with_fields(current))
    countries = report_selectors.countries_with_submission(current)
    form = ReportRequestForm(request.POST or None, questions=questions, countries=countries)
    if request.method == "POST" and form.is_valid():
        try:
            report = report_request(
                user=request.user,
                round=current,
                country_codes=form.cleaned_data["countries"],
                question_numbers=form.cleaned_data["questions"],
                formats=form.cleaned_data["formats"],
                language=form.cleaned_data["language"] or None,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Report requested. It is built in the background; this page follows it.")
            )
            return redirect("reports:detail", pk=report.pk)
    return render(request, "reports/report_new.html", {"form": form, "round": current})


def _visible_report(request: AuthenticatedHttpRequest, pk: int) -> Report:
    return get_object_or_404(reports_visible_to(request.user), pk=pk)


@login_required
@require_GET
def report_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = _visible_report(request, pk)
    changed = report_changed_countries([report]).get(report.pk, [])
    files = list(
        ReportFile.objects.filter(report=report).only("format", "size", "built_at").order_by("format")
    )
    return render(
        request,
        "reports/report_detail.html",
        {"report": report, "changed_countries": changed, "files": files, "sources": report.sources.count()},
    )


@login_required
@require_GET
def report_status(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    report = _visible_report(request, pk)
    return JsonResponse(
        {
            "status": report.status,
            "label": report.get_status_display(),
            "step": report.step,
            "error": report.error,
            "finished": report.status in (Report.Status.DONE, Report.Status.FAILED),
        }
    )


@login_required
@require_POST
def report_retry_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = _visible_report(request, pk)
    try:
        report_retry(report=report, user=request.user)
    except ValidationError as exc:
        message_service_error(request, exc)
    else:
        messages.success(request, _("The report is queued again."))
    return redirect("reports:detail", pk=pk)


@login_required
@require_POST
def report_rebuild_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = _visible_report(request, pk)
    new = report_rebuild(report=report, user=request.user)
    messages.success(
        request, _("A new report with the same scope is being built from the current submissions.")
    )
    return redirect("reports:detail", pk=new.pk)


@login_required
@require_POST
def report_in_language_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = _visible_report(request, pk)
    form = ReportLanguageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the languages offered."))
        return redirect("reports:detail", pk=report.pk)
    try:
        new = report_in_language(report=report, user=request.user, language=form.cleaned_data["language"])
    except ValidationError as exc:
        message_service_error(request, exc)
        return redirect("reports:detail", pk=report.pk)
    messages.success(request, _("The same versions are being built into a report in the language chosen."))
    return redirect("reports:detail", pk=new.pk)


@login_required
@require_GET
# The printable HTML report carries its own <style> (it is also a downloaded file); scripts stay
# forbidden.
# (django-csp 4 types the views its decorators take as Callable[[HttpRequest], HttpResponseBase]: a
# view with URL arguments does not fit that type, though the decorator passes them on.)
@csp_update({"style-src": ["'unsafe-inline'"]})  # type: ignore[arg-type]
def report_download(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> HttpResponse:
    report = _visible_report(request, pk)
    if report.status != Report.Status.DONE:
        raise Http404
    report_file = get_object_or_404(ReportFile, report=report, format=fmt)
    if downloads_exhausted(user=request.user):
        return HttpResponse(
            _("Too many downloads in a short time. Please wait a few minutes and try again."),
            status=429,
            content_type="text/plain; charset=utf-8",
        )
    at = timezone.now()
    content = report_file_stamped(report_file=report_file, user=request.user, at=at)
    audit_record(user=request.user, action=AuditEvent.Action.REPORT_DOWNLOAD, report_id=report.pk, format=fmt)
    response = HttpResponse(content, content_type=FORMATS[fmt].CONTENT_TYPE)
    inline = fmt == Report.Format.HTML and request.GET.get("inline") == "1"
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="allied-responses-report-{report.pk}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
