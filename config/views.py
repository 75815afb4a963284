"""The pages over every app: the home page of each role. The site's frame (navigation, marking)
is in navigation.py and context_processors.py; config is the top layer, so it may use them all."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.http import AuthenticatedHttpRequest
from questionnaire.selectors import round_current
from responses import permissions
from responses.models import Response
from responses.permissions import countries_of, responses_visible_to


@login_required
@require_safe
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The landing page: the current round, and what the user acts on in it."""
    current = round_current()
    context: dict[str, Any] = {"round": current, "countries": [], "submitted_count": 0}
    if current is not None:
        visible = responses_visible_to(request.user).filter(round=current)
        if permissions.is_cross_country_reader(request.user):
            context["submitted_count"] = visible.count()
        else:
            status_by_country = dict(visible.values_list("author_links__country__code", "status"))
            context["countries"] = [
                (
                    country,
                    Response.Status(status_by_country[country.code]).label
                    if country.code in status_by_country
                    else None,
                )
                for country in countries_of(request.user).order_by("name")
            ]
    return render(request, "core/home.html", context)
