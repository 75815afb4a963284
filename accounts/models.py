from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person with an account.

    Ministry staff get their scope from memberships (`responses.Membership`), one per country they
    act for; analysts and coordinators work across countries and hold a global role instead.
    """

    class GlobalRole(models.TextChoices):
        NONE = "", _("Country staff (scope from memberships)")
        ANALYST = "analyst", _("Analyst")
        COORDINATOR = "coordinator", _("Coordinator")

    global_role = models.CharField(
        _("global role"), max_length=20, choices=GlobalRole.choices, blank=True, default=""
    )

    @property
    def is_analyst(self) -> bool:
        return self.global_role == self.GlobalRole.ANALYST

    @property
    def is_coordinator(self) -> bool:
        return self.global_role == self.GlobalRole.COORDINATOR
