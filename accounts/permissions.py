"""Who may do what to accounts and to Django's admin. Views, services, the admin site and the
navigation ask here; none works a rule out again (tests/core/test_one_policy.py walks the code)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accounts.models import User


def _active(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active)


def can_manage_accounts(user: User) -> bool:
    """Coordinators invite people, change their roles, deactivate them and reset their second
    factor; nobody else does. Invitations sent by someone who no longer may stop working."""
    return _active(user) and user.is_coordinator


def gets_coordinators_admin(user: User) -> bool:
    """Coordinators get Django's admin with the coordinators' permissions (the staff flag and
    group follow the role: services.admin_access_sync); superusers have it in any case."""
    return user.is_coordinator


def can_set_privileges_and_passwords(user: User) -> bool:
    """Only a superuser changes the superuser and staff flags, groups, permissions, the
    cross-country role and the active flag in the admin, adds accounts there, and sees or sets
    anyone's password: a coordinator who could would raise themselves above the coordinators'
    rules, or sign in as someone else."""
    return user.is_superuser


def can_change_account(actor: User, target: User) -> bool:
    """A superuser's account is changed by superusers alone (the admin protects superusers; the
    coordinators' pages must not reach around it)."""
    return actor.is_superuser or not target.is_superuser


def can_open_admin(user: Any, *, second_factor_passed: bool) -> bool:
    """An active staff coordinator or superuser, once past the second factor where it is
    required."""
    if not (user.is_active and user.is_staff and (user.is_superuser or gets_coordinators_admin(user))):
        return False
    return second_factor_passed
