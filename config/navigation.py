"""The navigation each role sees. Links appear only for pages the user may open."""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts import permissions as account_permissions
from accounts.models import User
from accounts.selectors import second_factor_pending
from coordination import permissions as coordination_permissions
from responses import permissions as responses_permissions


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url: str
    name: str
    # Items with a menu are grouped under one dropdown, so that the bar fits a laptop screen.
    menu: str | Promise | None = None


def navigation_for(user: User | AnonymousUser) -> list[NavItem]:
    if not user.is_authenticated or second_factor_pending(user):
        return []
    items = [
        NavItem(_("Home"), reverse("home"), "home"),
        NavItem(_("Responses"), reverse("responses:list"), "responses"),
        NavItem(_("Questionnaire"), reverse("questionnaire:current"), "questionnaire"),
    ]
    # Each link is shown on the rule its page checks, asked of the same permission function.
    if responses_permissions.is_cross_country_reader(user):
        items.append(NavItem(_("Compare"), reverse("reports:comparison"), "compare"))
        items.append(NavItem(_("Reports"), reverse("reports:list"), "reports"))
    menu = _("Coordination")
    if responses_permissions.can_see_answer_status(user):
        items.append(NavItem(_("Submission status"), reverse("reports:status"), "status"))
    if account_permissions.can_manage_accounts(user):
        items.append(NavItem(_("Accounts"), reverse("coordination:users"), "users", menu))
    if responses_permissions.can_configure_joint_responses(user):
        items.append(NavItem(_("Joint responses"), reverse("responses:joint_create"), "joint", menu))
    if coordination_permissions.can_coordinate(user):
        items.append(NavItem(_("Rounds"), reverse("coordination:rounds"), "rounds", menu))
        items.append(NavItem(_("Audit log"), reverse("coordination:audit"), "audit", menu))
    # The second factor is passed here (checked above), as the admin site asks.
    if account_permissions.can_open_admin(user, second_factor_passed=True):
        items.append(NavItem(_("Administration"), reverse("admin:index"), "admin", menu))
    return items
