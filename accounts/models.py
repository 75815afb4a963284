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
    # Chosen with the language switcher; empty: the browser's language decides.
    language = models.CharField(_("language"), max_length=10, blank=True, default="")

    @property
    def is_analyst(self) -> bool:
        return self.global_role == self.GlobalRole.ANALYST

    @property
    def is_coordinator(self) -> bool:
        return self.global_role == self.GlobalRole.COORDINATOR


class Invitation(models.Model):
    """An invitation by email to act for a country in a role, or to a global role.

    Only a hash of the link's token is stored: a leaked database does not hand out accounts. The
    link works once (``accepted_at``) and until ``expires_at``; a coordinator may revoke it.
    """

    email = models.EmailField(_("email address"))
    country = models.ForeignKey(
        "responses.Country",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("country"),
    )
    # A membership role (drafter, approver, viewer) with a country, or a global role without one.
    role = models.CharField(_("role"), max_length=20)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("account")
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.email} ({self.role})"

    @property
    def role_label(self) -> str:
        """The role's name for people (the field holds its code)."""
        from responses.models import Membership

        labels = {**dict(Membership.Role.choices), **dict(User.GlobalRole.choices)}
        return str(labels.get(self.role, self.role))
