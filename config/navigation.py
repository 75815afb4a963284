"""The navigation each role sees. Links appear only for pages the user may open."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import second_factor_pending


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url: str
    name: str
    # Items with a menu are grouped under one dropdown, so that the bar fits a laptop screen.
    menu: str | Promise | None = None


def navigation_for(user: User) -> list[NavItem]:
    if not user.is_authenticated or second_factor_pending(user):
        return []
    items = [
        NavItem(_("Home"), reverse("home"), "home"),
        NavItem(_("Responses"), reverse("responses:list"), "responses"),
        NavItem(_("Questionnaire"), reverse("questionnaire:current"), "questionnaire"),
    ]
    if user.is_analyst or user.is_coordinator:
        items.append(NavItem(_("Compare"), reverse("reports:comparison"), "compare"))
        items.append(NavItem(_("Reports"), reverse("reports:list"), "reports"))
    if user.is_coordinator:
        menu = _("Coordination")
        items.append(NavItem(_("Submission status"), reverse("reports:status"), "status"))
        items.append(NavItem(_("Accounts"), reverse("coordination:users"), "users", menu))
        items.append(NavItem(_("Joint responses"), reverse("responses:joint_create"), "joint", menu))
        items.append(NavItem(_("Rounds"), reverse("coordination:rounds"), "rounds", menu))
        items.append(NavItem(_("Audit log"), reverse("coordination:audit"), "audit", menu))
    if user.is_staff and (user.is_coordinator or user.is_superuser):
        items.append(NavItem(_("Administration"), reverse("admin:index"), "admin", _("Coordination")))
    return items
