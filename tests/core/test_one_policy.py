"""One policy: every "may this user..." answer comes from a permission module. This walks the
code and the templates for role checks made anywhere else: a person's role read to decide what
they may do or see (is_coordinator, is_analyst, a global_role comparison), superuser rules in the
pages and the admin, and membership queries in the presentation layer (views, navigation, the
admin, template tags). Models may define the role properties; services may read and write
roles as data (a role change, a reminder's recipients) without deciding access with them."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["accounts", "audit", "config", "coordination", "core", "questionnaire", "reports", "responses"]
POLICY_MODULES = {"accounts/permissions.py", "coordination/permissions.py", "responses/permissions.py"}
# Where the role properties are defined (on the user model), not used.
DEFINES_ROLES = {"accounts/models.py"}
ROLE_ATTRIBUTES = {"is_coordinator", "is_analyst"}
# The presentation layer: what it shows or lets through must come from the policy.
PRESENTATION = re.compile(r"(views|navigation|context_processors|admin|admin_site)\.py$|/templatetags/")
TEMPLATE_ROLE_CHECK = re.compile(
    r"\b(user|request\.user)\.(is_coordinator|is_analyst|is_superuser|is_staff|global_role)\b"
)


def python_files() -> list[Path]:
    return sorted(
        path for app in APPS for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts
    )


def role_checks_in(source: str, relative: str) -> list[str]:
    """The role checks a module makes that belong in a permission module."""
    if relative in POLICY_MODULES or relative in DEFINES_ROLES:
        return []
    found = []
    for node in ast.walk(ast.parse(source)):
        where = f"{relative}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Attribute):
            if node.attr in ROLE_ATTRIBUTES:
                found.append(f"{where} reads .{node.attr}")
            if PRESENTATION.search(relative):
                if node.attr == "is_superuser" and isinstance(node.ctx, ast.Load):
                    found.append(f"{where} decides on .is_superuser")
                if node.attr == "memberships" or (
                    node.attr == "objects"
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "Membership"
                ):
                    found.append(f"{where} queries memberships")
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(isinstance(o, ast.Attribute) and o.attr == "global_role" for o in operands):
                found.append(f"{where} compares a global_role")
    return found


def test_no_role_check_outside_the_permission_modules():
    found = []
    for path in python_files():
        relative = path.relative_to(ROOT).as_posix()
        found += role_checks_in(path.read_text(encoding="utf-8"), relative)
    assert found == [], "ask the permission module instead:\n" + "\n".join(found)


def test_templates_ask_the_policy_not_the_role():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {match.group(0)}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        for match in TEMPLATE_ROLE_CHECK.finditer(line)
    ]
    assert found == [], "use a context variable or tag that asks the permission module:\n" + "\n".join(found)


def test_the_walk_finds_what_it_looks_for():
    """The checks above can fail: each kind of role check is found in a module that makes it."""
    view = """
def page(request):
    if request.user.is_coordinator or request.user.global_role == "analyst":
        return Membership.objects.filter(user=request.user)
    if request.user.is_superuser:
        return request.user.memberships.all()
"""
    found = sorted(f.split(" ", 1)[1] for f in role_checks_in(view, "reports/views.py"))
    assert found == [
        "compares a global_role",
        "decides on .is_superuser",
        "queries memberships",
        "queries memberships",
        "reads .is_coordinator",
    ]
    assert role_checks_in(view, "responses/permissions.py") == []
    assert TEMPLATE_ROLE_CHECK.search("{% if user.is_analyst or user.is_coordinator %}")
