"""Who may run the round: its dates, reminders, the audit log, the submission status. Views,
services and the navigation ask here (tests/core/test_one_policy.py walks the code)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.models import User


def can_coordinate(user: User) -> bool:
    """Coordinators open and close rounds, set deadlines, send reminders and read the audit log."""
    return bool(user.is_authenticated and user.is_active and user.is_coordinator)
