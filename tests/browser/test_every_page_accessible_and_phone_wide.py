"""Every page of the answering, review, comparison and coordination journeys, as each role sees
it: axe-core (vendored under tests/browser/vendor/, never fetched) finds no serious or critical
violation, and at a phone's 390 px no page scrolls sideways (wide tables scroll in their own box).
"""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page

from accounts.models import User
from coordination.demo import demo_seed
from reports.models import Report
from reports.services import report_build
from responses.models import Membership, Response
from responses.services import response_return
from tests.accounts.factories import TEST_PASSWORD
from tests.browser.conftest import screenshot
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
WIDEST_ELEMENTS = "\n".join(  # a function, without the comment above it (Playwright looks for one)
    line
    for line in (Path(__file__).parent / "widest_elements.js").read_text(encoding="utf-8").splitlines()
    if not line.startswith("//")
)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Phone screenshots kept for a person to look at (test-artifacts/).
LOOKED_AT = {"/reports/compare/us-support/", "/responses/", "/coordination/accounts/"}


def axe_problems(page: Page) -> list[str]:
    """The serious and critical violations axe-core finds on the page as it is now."""
    page.add_script_tag(content=AXE)
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
             .filter(v => v.impact === "serious" || v.impact === "critical")
             .map(v => v.impact + " " + v.id + ": "
                  + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "))"""
    )
    return list(violations)


def sideways_scroll(page: Page) -> int:
    """How many pixels the page is wider than the window (0: it does not scroll sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def widest_elements(page: Page) -> str:
    """The innermost elements that reach past the window's right edge, to say what to fix."""
    return page.evaluate(WIDEST_ELEMENTS)


@pytest.fixture
def journey(us_round, settings):
    """Demo data of 8 countries: drafts, submissions, one returned for revision, a built report."""
    settings.TWO_FACTOR_REQUIRED = False
    demo_seed(round=us_round, country_count=8, password=TEST_PASSWORD)
    draft = Response.objects.filter(round=us_round, status=Response.Status.DRAFT).first()
    submitted = Response.objects.filter(round=us_round, status=Response.Status.SUBMITTED)
    returned, shown = submitted[0], submitted[1]
    coordinator = User.objects.get(username="coordinator")
    response_return(
        response=returned,
        user=coordinator,
        comment="Please state the duration.",
        question_comments={"q2_size_stationing_duration": "Which duration?"},
    )
    analyst = User.objects.get(username="analyst")
    report = Report.objects.create(
        round=us_round,
        requested_by=analyst,
        country_codes=sorted(c.code for c in shown.authors.all()),
        question_numbers=[1, 2, 3, 4, 5, 6],
        formats=[Report.Format.HTML],
    )
    report_build(report_id=report.pk)
    drafter = Membership.objects.filter(country__in=draft.authors.all(), role=Membership.Role.DRAFTER).first()
    approver = Membership.objects.filter(
        country__in=draft.authors.all(), role=Membership.Role.APPROVER
    ).first()
    returned_drafter = Membership.objects.filter(
        country__in=returned.authors.all(), role=Membership.Role.DRAFTER
    ).first()
    draft_pk, number = draft.pk, draft.current_number
    staff_pages = [
        reverse("home"),
        reverse("responses:list"),
        reverse("responses:detail", args=[draft_pk]),
        *(reverse("responses:question", args=[draft_pk, n]) for n in range(1, 7)),
        reverse("responses:details", args=[draft_pk]),
        reverse("responses:history", args=[draft_pk]),
        reverse("responses:version", args=[draft_pk, 1]),
        reverse("responses:diff", args=[draft_pk]) + f"?from=1&to={number}",
        reverse("questionnaire:current"),
        reverse("accounts:security"),
    ]
    readers_pages = [
        reverse("home"),
        reverse("reports:comparison"),
        *(reverse(f"reports:{name}") for name in ("troops", "us_support", "stationing", "agreement")),
        *(reverse(f"reports:{name}") for name in ("sanctions", "changes")),
        reverse("reports:list"),
        reverse("reports:new"),
        reverse("reports:detail", args=[report.pk]),
        reverse("responses:list"),
        reverse("responses:detail", args=[shown.pk]),
        reverse("responses:detail", args=[returned.pk]),
        reverse("responses:history", args=[shown.pk]),
    ]
    return {
        drafter.user.username: staff_pages,
        approver.user.username: [reverse("responses:submit", args=[draft_pk])],
        returned_drafter.user.username: [
            reverse("responses:detail", args=[returned.pk]),
            reverse("responses:question", args=[returned.pk, 2]),
        ],
        "analyst": readers_pages,
        "coordinator": [
            *readers_pages,
            reverse("reports:status"),
            reverse("coordination:users"),
            reverse("coordination:user_detail", args=[drafter.user.pk]),
            reverse("coordination:user_invite"),
            reverse("coordination:invitations"),
            reverse("coordination:rounds"),
            reverse("coordination:round_edit", args=[us_round.pk]),
            reverse("coordination:audit"),
            reverse("responses:return", args=[shown.pk]),
        ],
    }


def test_no_page_of_any_role_has_a_serious_accessibility_problem_or_scrolls_sideways_on_a_phone(
    browser: Browser, live_server, journey
):
    problems: list[str] = []
    for username, paths in journey.items():
        context = browser.new_context(bypass_csp=True)  # axe is injected as an inline script
        page = context.new_page()
        sign_in(page, live_server.url, username)
        for path in paths:
            page.set_viewport_size(DESKTOP)
            answer = page.goto(live_server.url + path)
            assert answer is not None and answer.status == 200, (
                f"{username} {path}: {answer and answer.status}"
            )
            problems += [f"{username} {path}: {p}" for p in axe_problems(page)]
            if path in LOOKED_AT:
                screenshot(page, f"desktop-{username}-" + path.strip("/").replace("/", "-"))
            page.set_viewport_size(PHONE)
            page.wait_for_timeout(100)
            if path in LOOKED_AT or path.endswith("/questions/1/"):
                screenshot(page, f"phone-{username}-" + path.strip("/").replace("/", "-"))
            if (extra := sideways_scroll(page)) > 0:
                problems.append(
                    f"{username} {path}: {extra} px wider than a 390 px phone: {widest_elements(page)}"
                )
                screenshot(page, "phone-too-wide-" + path.strip("/").replace("/", "-"))
        context.close()
    assert problems == [], "\n".join(problems)
