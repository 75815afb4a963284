"""Ministry staff answer; analysts and coordinators read. Each view: read input, ask the
permission module, call a service or selector, respond. Not yours and not there look the same (404).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import AuditEvent
from audit.services import audit_record
from core.forms import add_service_errors, message_service_error, service_error_text, service_errors_by_field
from core.ratelimit import rate_limit_hit
from questionnaire.answers import field_is_shown
from questionnaire.models import Field, Question
from questionnaire.selectors import round_closed_reason, round_current
from questionnaire.structure import questionnaire_structure
from responses import permissions
from responses.display import AnswerFormatter, answers_difference, question_progress, text_languages_of
from responses.forms import JointResponseForm, QuestionForm, ResponseDetailsForm, ReturnForm
from responses.models import Country, Response, ResponseVersion
from responses.presence import HeartbeatHttpRequest, presence_grant_issue, presence_leave, presence_touch
from responses.selectors import (
    countries_by_name,
    editing_sessions_of,
    last_change_by_question,
    last_return,
    open_return,
    response_for_country,
    response_rows_for,
    session_versions,
    submissions_numbered,
    versions_rebuilt,
)
from responses.services import (
    EditConflict,
    ResponseNotEditable,
    ResponseNotVisible,
    response_missing_answers,
    response_open_for_country,
    response_restore_version,
    response_return,
    response_save_draft,
    response_start,
    response_submit,
)

if TYPE_CHECKING:  # accounts is above responses (DESIGN.md section 6): type hints only
    from accounts.http import AuthenticatedHttpRequest

ERRORS_SESSION_KEY = "questions_with_errors"
UNAVAILABLE_MESSAGE = gettext_lazy(
    "Not saved: the database was unavailable for a moment. Everything you typed is still here: save again."
)
logger = logging.getLogger(__name__)


def _visible_response(request: AuthenticatedHttpRequest, pk: int) -> Response:
    """The response if the user may see it (else 404), with the user's roles on it read in the
    same query."""
    response = get_object_or_404(
        permissions.responses_with_roles_of(request.user).select_related(
            "round__questionnaire", "current_version__created_by", "submitted_version"
        ),
        pk=pk,
    )
    permissions.remember_roles(response, request.user)
    if response.current_version is not None:
        # A draft version stores what it changed; the response row holds its answers in full.
        response.current_version.answers = response.answers
        response.current_version.metadata = response.metadata
    return response


def _authors(response: Response) -> list[Country]:
    return list(response.authors.all())  # countries are ordered by name


def _questions(response: Response) -> list[Question]:
    return questionnaire_structure(response.round.questionnaire_id).questions


def _closed_reason(response: Response) -> str | None:
    return round_closed_reason(response.round)


def _errors_in_session(request: HttpRequest, response: Response) -> set[int]:
    return set(request.session.get(ERRORS_SESSION_KEY, {}).get(str(response.pk), []))


def _mark_errors(request: HttpRequest, response: Response, number: int, has_errors: bool) -> None:
    stored = request.session.get(ERRORS_SESSION_KEY, {})
    numbers = set(stored.get(str(response.pk), []))
    numbers = numbers | {number} if has_errors else numbers - {number}
    stored[str(response.pk)] = sorted(numbers)
    request.session[ERRORS_SESSION_KEY] = stored


def draft_copy_key(user_id: int, response_id: int, number: int) -> str:
    """The browser's localStorage key for the unsaved copy of one question's page
    (static/js/response-form.js)."""
    return f"allied-draft-{user_id}-{response_id}-{number}"


# A page saved with its buttons (not by autosave) leaves its local copy behind: the page the save
# redirects to says which copy the server now holds, once, and the script drops it.
SAVED_COPY_SESSION_KEY = "saved_draft_copy"


def _return_notice(request: AuthenticatedHttpRequest, response: Response) -> dict[str, Any]:
    """What every page of a response says about an open return for revision: the coordinator's
    comment to the country's members, the fact of it to analysts and coordinators."""
    member = permissions.sees_drafts(request.user, response)
    returned = open_return(response) if member or permissions.is_cross_country_reader(request.user) else None
    return {
        "is_member": member,
        "open_return": returned if member else None,
        "returned_to_country": returned if not member else None,
    }


def _base_context(
    request: AuthenticatedHttpRequest, response: Response, questions: list[Question]
) -> dict[str, Any]:
    version = permissions.version_shown_to(request.user, response)
    answers = version.answers if version else {}
    notice = _return_notice(request, response)
    member, returned = notice["is_member"], notice["open_return"]
    commented = set(returned.question_comments) if returned else set()
    return {
        "response": response,
        "authors": _authors(response),
        "questions": questions,
        "version": version,
        "answers": answers,
        **notice,
        "editable": permissions.can_change_answers(request.user, response),
        "can_submit": permissions.can_submit_response(request.user, response),
        "can_return": permissions.can_return_response(request.user, response),
        "closed_reason": _closed_reason(response),
        "commented_questions": {q.number for q in questions if q.key in commented},
        "saved_copy": request.session.pop(SAVED_COPY_SESSION_KEY, None) if member else None,
        "progress": question_progress(questions, answers, with_errors=_errors_in_session(request, response))
        if member
        else [],
    }


# -- lists and entry points ------------------------------------------------------------------------


@login_required
@require_GET
def response_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    current = round_current()
    rows = response_rows_for(request.user, current) if current else []
    editor_countries = set(
        permissions.countries_of(request.user, roles=permissions.EDITING_ROLES).values_list("pk", flat=True)
    )
    return render(
        request,
        "responses/response_list.html",
        {"round": current, "rows": rows, "editor_countries": editor_countries},
    )


@login_required
@require_http_methods(["GET", "POST"])
def country_response(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """A country's response in the current round: opens it, or offers to start it."""
    country = get_object_or_404(permissions.countries_of(request.user), code=code.upper())
    current = round_current()
    if current is None:
        raise Http404
    existing = response_for_country(round=current, country=country)
    if existing is not None:
        return redirect("responses:detail", pk=existing.pk)
    if request.method == "POST":
        try:
            response = response_open_for_country(round=current, country=country, user=request.user)
        except ValidationError as exc:
            message_service_error(request, exc)
            return redirect("responses:list")
        return redirect("responses:question", pk=response.pk, number=1)
    return render(
        request,
        "responses/response_not_started.html",
        {
            "country": country,
            "round": current,
            "can_start": permissions.can_start_response_for(request.user, country),
        },
    )


@login_required
@require_GET
def response_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    response = _visible_response(request, pk)
    questions = _questions(response)
    context = _base_context(request, response, questions)
    formatter = AnswerFormatter(questions)
    context["sections"] = _answer_sections(formatter, questions, context["answers"], _metadata(context))
    context["last_changes"] = last_change_by_question(response, questions) if context["is_member"] else {}
    # Drafters see what the approver will be asked for, while there is still time to write it.
    if context["editable"] and response.current_version:
        context["missing"] = response_missing_answers(response=response)
    if permissions.can_return_response(request.user, response) and not context["is_member"]:
        returned = last_return(response)
        if returned is not None and response.submitted_version_id != returned.returned_version_id:
            # Looked up by submitted_version_id too, a nullable column's id (int | None).
            shown: dict[int | None, int] = {
                v.pk: v.shown_number for v in submissions_numbered(request.user, response)
            }
            context["resubmitted_after_return"] = returned
            context["compare_from"] = shown.get(returned.returned_version_id)
            context["compare_to"] = shown.get(response.submitted_version_id)
    audit_record(
        user=request.user,
        action=AuditEvent.Action.RESPONSE_VIEW,
        response=response,
        version=context["version"],
    )
    return render(request, "responses/response_detail.html", context)


def _metadata(context: dict[str, Any]) -> dict[str, Any]:
    return context["version"].metadata if context.get("version") else {}


def _answer_sections(
    formatter: AnswerFormatter, questions: list[Question], answers: dict[str, Any], metadata: dict[str, Any]
) -> list[dict[str, Any]]:
    sections = []
    languages = text_languages_of(metadata)
    for question in questions:
        rows = [
            {"field": f, "text": formatter.text(f, answers.get(f.key)), "language": languages.get(f.key)}
            for f in question.fields.all()
            if field_is_shown(f, answers)
        ]
        sections.append({"question": question, "rows": rows})
    return sections


# -- answering -----------------------------------------------------------------------------------------


def _question_or_404(questions: list[Question], number: int) -> Question:
    question = next((q for q in questions if q.number == number), None)
    if question is None:
        raise Http404
    return question


def _form_countries(question: Question) -> list[Country]:
    """The choices of a countries field, only for a question that has one."""
    if all(f.field_type != Field.FieldType.COUNTRIES for f in question.fields.all()):
        return []
    return countries_by_name()


@login_required
@require_http_methods(["GET", "POST"])
def response_question(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    response = _visible_response(request, pk)
    questions = _questions(response)
    question = _question_or_404(questions, number)
    context = _base_context(request, response, questions)
    editable = context["editable"]
    version: ResponseVersion | None = context["version"]
    base_number = version.number if version and context["is_member"] else 0
    form_kwargs = {
        "question": question,
        "answers": context["answers"],
        "countries": _form_countries(question),
        "read_only": not editable,
    }
    if request.method == "POST":
        posted = _question_post(request, response, questions, number, context, form_kwargs)
        if isinstance(posted, HttpResponse):
            return posted
        form, conflicts, unavailable = posted.form, posted.conflicts, posted.unavailable
    else:
        form, conflicts, unavailable = (
            QuestionForm(initial={"base_version": base_number}, **form_kwargs),
            [],
            False,
        )
        audit_record(
            user=request.user,
            action=AuditEvent.Action.RESPONSE_VIEW,
            response=response,
            version=version,
            question=question.number,
        )

    returned = context["open_return"]
    context.update(
        {
            "question": question,
            "form": form,
            "conflicts": conflicts,
            "question_comment": returned.question_comments.get(question.key) if returned else None,
            "last_change": last_change_by_question(response, [question]).get(number)
            if context["is_member"]
            else None,
            "previous_number": number - 1 if number > questions[0].number else None,
            "next_number": number + 1 if number < questions[-1].number else None,
        }
    )
    return render(request, "responses/response_question.html", context, status=503 if unavailable else 200)


@dataclass
class _QuestionPost:
    """What a posted question page comes to when it is not saved: the form again (with its
    errors, or the colleague's values beside a conflict), the conflicts, and whether the
    database was away."""

    form: QuestionForm
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    unavailable: bool = False


def _question_post(
    request: AuthenticatedHttpRequest,
    response: Response,
    questions: list[Question],
    number: int,
    context: dict[str, Any],
    form_kwargs: dict[str, Any],
) -> HttpResponse | _QuestionPost:
    """Saves a posted question page: a redirect once saved (or refused), else the page again."""
    pk = response.pk
    conflicts: list[dict[str, Any]] = []
    unavailable = False
    editable = context["editable"]
    if not editable:
        if not permissions.can_edit_response(request.user, response):
            raise PermissionDenied
        messages.error(request, context["closed_reason"] or _("This response is submitted and read-only."))
        return redirect("responses:question", pk=pk, number=number)
    form = QuestionForm(request.POST, **form_kwargs)
    if form.is_valid():
        answers = form.answers()
        answers.update(_resolved_as_theirs(request, response, form))
        try:
            result = response_save_draft(
                response=response,
                user=request.user,
                answers=answers,
                base_version=form.cleaned_data["base_version"],
            )
        except EditConflict as conflict:
            conflicts = _conflict_rows(AnswerFormatter(questions), conflict)
            form = _form_beside_conflict(request, form, form_kwargs, conflict)
        except ValidationError as exc:
            form.add_service_errors(service_errors_by_field(exc))
        except DatabaseError:
            # The database went away mid-save (a restart, a lock time-out): nothing was
            # written, and the page comes back with everything typed.
            logger.warning("save of response %s failed on the database", pk, exc_info=True)
            form.add_error(None, UNAVAILABLE_MESSAGE)
            unavailable = True
        else:
            _mark_errors(request, response, number, has_errors=False)
            _say_saved(request, result, AnswerFormatter(questions))
            request.session[SAVED_COPY_SESSION_KEY] = draft_copy_key(request.user.pk, pk, number)
            if "save_next" in request.POST and number < questions[-1].number:
                return redirect("responses:question", pk=pk, number=number + 1)
            if "save_review" in request.POST:
                return redirect("responses:detail", pk=pk)
            return redirect("responses:question", pk=pk, number=number)
    if form.errors:
        _mark_errors(request, response, number, has_errors=True)
        context["progress"] = question_progress(
            questions, context["answers"], with_errors=_errors_in_session(request, response)
        )
    return _QuestionPost(form=form, conflicts=conflicts, unavailable=unavailable)


def _form_beside_conflict(
    request: AuthenticatedHttpRequest, form: QuestionForm, form_kwargs: dict[str, Any], conflict: EditConflict
) -> QuestionForm:
    """The page again after a conflict, on the newest version: the person's own values where
    they conflict (to compare and choose), and what the colleague changed elsewhere as it now
    is, so that the next save, based on the newest version, cannot revert it."""
    conflicting = {c.key for c in conflict.conflicts}
    data = form.data_with_current(
        request.POST, conflict.current_version.answers, set(conflict.changed_by_others) - conflicting
    )
    data["base_version"] = str(conflict.current_version.number)
    form_kwargs["answers"] = conflict.current_version.answers
    again = QuestionForm(data, **form_kwargs)
    again.conflict_keys = conflicting
    again.is_valid()
    return again


def _resolved_as_theirs(request: HttpRequest, response: Response, form: QuestionForm) -> dict[str, Any]:
    """After a conflict the user chose, field by field, whose value to keep: 'theirs' takes the
    value now saved."""
    current = response.answers
    return {
        f.key: current.get(f.key)
        for f in form.question_fields
        if request.POST.get(f"resolve_{f.key}") == "theirs"
    }


def _conflict_rows(formatter: AnswerFormatter, conflict: EditConflict) -> list[dict[str, Any]]:
    version = conflict.current_version
    return [
        {
            "field": formatter.by_key[c.key],
            "theirs": formatter.text(formatter.by_key[c.key], c.theirs),
            "yours": formatter.text(formatter.by_key[c.key], c.yours),
            "by": version.created_by,
            "at": version.created_at,
        }
        for c in conflict.conflicts
    ]


def _say_saved(request: HttpRequest, result: Any, formatter: AnswerFormatter) -> None:
    at = formats.time_format(timezone.localtime(result.version.created_at), "H:i")
    if not result.created:
        messages.info(request, _("All changes are saved."))
        return
    messages.success(request, _("Saved at %(time)s.") % {"time": at})
    if result.merged_from_others:
        labels = ", ".join(
            formatter.by_key[k].label for k in result.merged_from_others if k in formatter.by_key
        )
        messages.info(
            request, _("Changes a colleague made meanwhile are kept: %(fields)s.") % {"fields": labels}
        )


@login_required
@require_POST
def response_autosave(request: AuthenticatedHttpRequest, pk: int, number: int) -> JsonResponse:
    """The page's background save while staff type. Answers in JSON, never a redirect."""
    # Counted before any database work: a runaway page (or script) costs one cache hit a request.
    retry_after = rate_limit_hit(
        scope="autosave",
        user_id=request.user.pk,
        limit=settings.AUTOSAVES_PER_WINDOW,
        window_seconds=settings.AUTOSAVE_WINDOW_SECONDS,
    )
    if retry_after is not None:
        return _autosave_rate_limited(retry_after)
    try:
        base_version = int(request.POST.get("base_version", ""))
    except ValueError:
        return JsonResponse(
            {"status": "invalid", "message": _("Not saved: reload the page; your text stays in it.")},
            status=422,
        )
    page = _AutosavePage(request.POST, number)
    try:
        result = response_save_draft(
            response=pk, user=request.user, answers=page.answers, base_version=base_version
        )
    except ResponseNotVisible:
        raise Http404 from None
    except DatabaseError:
        logger.warning("autosave of response %s failed on the database", pk, exc_info=True)
        unavailable = JsonResponse({"status": "unavailable", "message": UNAVAILABLE_MESSAGE}, status=503)
        unavailable["Retry-After"] = "5"
        return unavailable
    except (EditConflict, ValidationError) as exc:  # ResponseNotEditable is a ValidationError too
        return _autosave_refused(exc, page)
    return _autosave_saved(request, page, result)


def _autosave_rate_limited(retry_after: int) -> JsonResponse:
    limited = JsonResponse(
        {
            "status": "rate_limited",
            "message": _(
                "Not saved yet: too many saves in a short time. Your text stays on this page "
                "and is saved again in a moment."
            ),
            "retry_after": retry_after,
        },
        status=429,
    )
    limited["Retry-After"] = str(retry_after)
    return limited


class _AutosavePage:
    """One page's posted answers, read into its form by the save service with the response row
    locked: the form's conditions read other questions' answers as they are now. One read of
    the response, no other (the deadline surge is made of these)."""

    def __init__(self, data: Any, number: int) -> None:
        self.data = data
        self.number = number
        self.form: QuestionForm | None = None
        self.response: Response | None = None

    def answers(self, locked: Response) -> dict[str, Any]:
        question = _question_or_404(_questions(locked), self.number)
        self.form = QuestionForm(
            self.data, question=question, answers=locked.answers, countries=_form_countries(question)
        )
        self.response = locked
        if not self.form.is_valid():
            raise ValidationError(_("Not saved: some answers need correcting."), code="form")
        return self.form.answers()


def _autosave_refused(exc: EditConflict | ValidationError, page: _AutosavePage) -> JsonResponse:
    """A save the service refused, as the page's script reads it."""
    if isinstance(exc, ResponseNotEditable):
        return JsonResponse({"status": "refused", "message": service_error_text(exc)}, status=409)
    if isinstance(exc, EditConflict):
        by = exc.current_version.created_by
        locked = cast(Response, page.response)  # a conflict is found after the page was read
        labels = questionnaire_structure(locked.round.questionnaire_id).fields_by_key
        return JsonResponse(
            {
                "status": "conflict",
                "message": _("%(name)s changed %(fields)s meanwhile. Save this page to compare and choose.")
                % {
                    "name": by.get_full_name() or by.get_username(),
                    "fields": ", ".join(labels[c.key].label for c in exc.conflicts),
                },
            },
            status=409,
        )
    if page.form is not None and page.form.errors:
        return JsonResponse(
            {"status": "invalid", "message": service_error_text(exc), "errors": page.form.errors}, status=422
        )
    return JsonResponse({"status": "invalid", "message": service_error_text(exc)}, status=422)


def _autosave_saved(request: AuthenticatedHttpRequest, page: _AutosavePage, result: Any) -> JsonResponse:
    """The saved reply: the version, the question tabs as they now stand, and a colleague's
    changes merged into this page's fields, to put in place."""
    # The service read the page (page.answers) before it saved anything.
    form, locked, number = cast(QuestionForm, page.form), cast(Response, page.response), page.number
    saved_at = formats.time_format(timezone.localtime(result.version.created_at), "H:i")
    on_this_page = [f for f in form.question_fields if f.key in set(result.merged_from_others)]
    with_errors = _errors_in_session(request, locked)
    if number in with_errors:  # this page's answers were just accepted
        _mark_errors(request, locked, number, has_errors=False)
        with_errors.discard(number)
    reply: dict[str, Any] = {
        "status": "saved",
        "version": result.version.number,
        "created": result.created,
        "message": _("Saved at %(time)s") % {"time": saved_at},
        # The page's question tabs, as they now stand (the page updates them in place).
        "progress": [
            {"question": item.question.number, "state": item.state, "label": str(item.label)}
            for item in question_progress(_questions(locked), result.answers, with_errors=with_errors)
        ],
    }
    if on_this_page:
        # The page shows stale values for these fields: the reply carries them as they are now,
        # and the page puts them in place (unless the person is typing in one of them).
        reply.update(
            {
                "status": "merged",
                "fields": form.widget_values(result.answers, {f.key for f in on_this_page}),
                "message": _("Saved at %(time)s. A colleague's changes to %(fields)s are now shown.")
                % {"time": saved_at, "fields": ", ".join(f.label for f in on_this_page)},
            }
        )
    return JsonResponse(reply)


def response_presence(request: HeartbeatHttpRequest, pk: int) -> HttpResponse:
    """The page's heartbeat. After the first, it reads the cache only (responses/presence.py),
    so it neither loads the user nor touches the database; the first checks as every view does.
    The session's grant, if any, was looked up by the second-factor middleware, which lets a
    heartbeat without one through only once the second factor is passed."""
    try:
        question = int(request.POST.get("question", ""))
    except ValueError:
        question = None
    posted = request.method == "POST"
    grant = request.presence_grant  # accounts.middleware.TwoFactorRequiredMiddleware
    if grant is None:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not posted:
            return HttpResponseNotAllowed(["POST"])
        # Signed in (checked above), as the other views' login_required makes sure.
        signed_in = cast("AuthenticatedHttpRequest", request)
        response = _visible_response(signed_in, pk)
        if not permissions.sees_drafts(request.user, response):
            raise Http404
        grant = presence_grant_issue(
            # Signing in saved the session, which gave it its key.
            session_key=cast(str, request.session.session_key),
            response=response,
            user=request.user,
        )
    if request.POST.get("leaving"):
        presence_leave(response_id=pk, grant=grant)
        return JsonResponse({"others": []})
    others = presence_touch(response_id=pk, grant=grant, question=question)
    return JsonResponse({"others": [{"name": o["name"], "question": o["question"]} for o in others]})


@login_required
@require_http_methods(["GET", "POST"])
def response_details(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The contact point, approval date and approver's note."""
    response = _visible_response(request, pk)
    if not permissions.sees_drafts(request.user, response):
        raise Http404
    if not permissions.can_change_answers(request.user, response):
        raise PermissionDenied
    version = response.current_version
    metadata = version.metadata if version else {}
    if request.method == "POST":
        form = ResponseDetailsForm(request.POST)
        if form.is_valid():
            try:
                response_save_draft(
                    response=response,
                    user=request.user,
                    answers={},
                    base_version=form.cleaned_data["base_version"],
                    metadata=form.metadata(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Response details saved."))
                return redirect("responses:detail", pk=pk)
    else:
        form = ResponseDetailsForm(initial={**metadata, "base_version": version.number if version else 0})
    return render(request, "responses/response_details.html", {"response": response, "form": form})


# -- history ------------------------------------------------------------------------------------------


HISTORY_SESSIONS_PER_PAGE = 20
SESSION_SAVES_PER_PAGE = 50


def _page_number(request: HttpRequest, name: str = "page") -> int:
    try:
        return max(1, int(request.GET.get(name, "1")))
    except ValueError:
        return 1


@login_required
@require_GET
def response_history(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Members: editing sessions, newest first, paged; one session expands to its saves (paged).
    Others: the submissions only."""
    response = _visible_response(request, pk)
    formatter = AnswerFormatter(_questions(response))
    context: dict[str, Any] = {
        "response": response,
        "authors": _authors(response),
        **_return_notice(request, response),
    }
    if permissions.sees_drafts(request.user, response):
        sessions = Paginator(editing_sessions_of(response), HISTORY_SESSIONS_PER_PAGE)
        page = sessions.get_page(_page_number(request))
        for session in page:
            session.changed_labels = formatter.labels(sorted(session.changed_fields))
        context.update({"sessions": page, "editable": permissions.can_change_answers(request.user, response)})
        if "session" in request.GET:
            try:
                session_pk = int(request.GET["session"])
            except ValueError:
                raise Http404 from None
            opened = get_object_or_404(editing_sessions_of(response), pk=session_pk)
            saves = Paginator(session_versions(opened), SESSION_SAVES_PER_PAGE).get_page(
                _page_number(request, "saves")
            )
            for version in saves:
                version.changed_labels = formatter.labels(version.changed_fields)
            context.update({"opened_session": opened, "saves": saves})
    else:
        versions = submissions_numbered(request.user, response)[::-1]
        for version in versions:
            version.changed_labels = formatter.labels(version.shown_changes)
        context["versions"] = versions
    audit_record(user=request.user, action=AuditEvent.Action.RESPONSE_HISTORY, response=response)
    return render(request, "responses/response_history.html", context)


def _versions_shown(
    request: AuthenticatedHttpRequest, response: Response, numbers: list[int]
) -> list[ResponseVersion | None]:
    """The versions a user asked for by the number they see, with answers in full: members by
    version number, others by submission ordinal (1, 2, 3)."""
    if permissions.sees_drafts(request.user, response):
        rebuilt = versions_rebuilt(response, numbers)
        for version in rebuilt.values():
            version.shown_number = version.number
        return [rebuilt.get(n) for n in numbers]
    by_ordinal = {v.shown_number: v for v in submissions_numbered(request.user, response)}
    return [by_ordinal.get(n) for n in numbers]


@login_required
@require_GET
def response_diff(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    response = _visible_response(request, pk)
    try:
        to_number = int(request.GET.get("to", ""))
        from_number = int(request.GET.get("from", ""))
    except ValueError:
        raise Http404 from None
    older, newer = _versions_shown(request, response, [from_number, to_number])
    if newer is None or older is None:
        raise Http404
    formatter = AnswerFormatter(_questions(response))
    differences = answers_difference(formatter, older.answers, newer.answers)
    audit_record(
        user=request.user,
        action=AuditEvent.Action.RESPONSE_DIFF,
        response=response,
        version=newer,
        compared_with=older.number,
        shown_as=[older.shown_number, newer.shown_number],
    )
    return render(
        request,
        "responses/response_diff.html",
        {
            "response": response,
            "older": older,
            "newer": newer,
            "differences": differences,
            "authors": _authors(response),
            **_return_notice(request, response),
        },
    )


@login_required
@require_GET
def response_version(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    """One saved version, read-only, as it stood (members: any save; others: a submission)."""
    response = _visible_response(request, pk)
    (version,) = _versions_shown(request, response, [number])
    if version is None:
        raise Http404
    questions = _questions(response)
    audit_record(
        user=request.user,
        action=AuditEvent.Action.RESPONSE_VIEW,
        response=response,
        version=version,
        shown_as=version.shown_number,
    )
    return render(
        request,
        "responses/response_version.html",
        {
            "response": response,
            "authors": _authors(response),
            "version": version,
            **_return_notice(request, response),
            "sections": _answer_sections(
                AnswerFormatter(questions), questions, version.answers, version.metadata
            ),
            "can_restore": (
                permissions.can_change_answers(request.user, response)
                and version.number < response.current_number
            ),
        },
    )


@login_required
@require_POST
def response_restore(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    response = _visible_response(request, pk)
    if not permissions.sees_drafts(request.user, response):
        raise Http404
    try:
        version = response_restore_version(response=response, user=request.user, number=number)
    except ValidationError as exc:
        message_service_error(request, exc, _("Not restored: %(reason)s"))
        return redirect("responses:version", pk=pk, number=number)
    messages.success(
        request,
        _("Version %(old)s restored as version %(new)s. Nothing in between is lost: it stays in the history.")
        % {"old": number, "new": version.number},
    )
    return redirect("responses:history", pk=pk)


# -- submission and return --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def response_submit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    response = _visible_response(request, pk)
    if not permissions.sees_drafts(request.user, response):
        raise Http404
    if not permissions.can_submit_response(request.user, response):
        raise PermissionDenied
    questions = _questions(response)
    if request.method == "POST":
        try:
            reviewed = int(request.POST.get("reviewed_version", ""))
        except ValueError:
            reviewed = -1
        try:
            response_submit(response=response, user=request.user, reviewed_version=reviewed)
        except ValidationError as exc:
            message_service_error(request, exc, _("Not submitted: %(reason)s"))
        else:
            messages.success(request, _("Submitted on behalf of the government. Thank you."))
            return redirect("responses:detail", pk=pk)
    context = _base_context(request, response, questions)
    context["missing"] = response_missing_answers(response=response) if response.current_version else []
    context["sections"] = _answer_sections(
        AnswerFormatter(questions), questions, context["answers"], _metadata(context)
    )
    audit_record(
        user=request.user,
        action=AuditEvent.Action.RESPONSE_VIEW,
        response=response,
        version=context["version"],
    )
    return render(request, "responses/response_submit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def response_return_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    response = _visible_response(request, pk)
    if not permissions.can_return_response(request.user, response):
        raise PermissionDenied
    questions = _questions(response)
    form = ReturnForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            response_return(
                response=response,
                user=request.user,
                comment=form.cleaned_data["comment"],
                question_comments=form.question_comments(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The response was returned for revision."))
            return redirect("responses:detail", pk=pk)
    return render(
        request,
        "responses/response_return.html",
        {"response": response, "form": form, "authors": _authors(response)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def joint_response_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not permissions.can_configure_joint_responses(request.user):
        raise PermissionDenied
    current = round_current()
    if current is None:
        raise Http404
    form = JointResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            response = response_start(round=current, countries=form.cleaned_data["countries"])
        except ValidationError as exc:
            add_service_errors(form, exc, field="countries")
        else:
            names = ", ".join(sorted(c.name for c in response.authors.all()))
            messages.success(request, _("Joint response created for %(names)s.") % {"names": names})
            return redirect(reverse("responses:list"))
    return render(request, "responses/joint_response_form.html", {"form": form, "round": current})
