"""The navigation each role sees. Links appear only for pages the user may open."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url: str
    name: str


def navigation_for(user: User) -> list[NavItem]:
    if not user.is_authenticated:
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
        items.append(NavItem(_("Submission status"), reverse("reports:status"), "status"))
        items.append(NavItem(_("Joint responses"), reverse("responses:joint_create"), "joint"))
        items.append(NavItem(_("Rounds"), reverse("coordination:rounds"), "rounds"))
        items.append(NavItem(_("Audit log"), reverse("coordination:audit"), "audit"))
    if user.is_staff:
        items.append(NavItem(_("Administration"), reverse("admin:index"), "admin"))
    return items
