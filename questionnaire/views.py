from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from questionnaire.selectors import questions_with_fields, round_current


@login_required
@require_safe
def current_questionnaire(request: HttpRequest) -> HttpResponse:
    """The questions and fields of the current round, as every participant may read them."""
    current = round_current()
    questions = questions_with_fields(current) if current else []
    return render(
        request, "questionnaire/questionnaire_detail.html", {"round": current, "questions": questions}
    )
