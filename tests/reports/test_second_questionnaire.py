"""Reports know no field key: a second questionnaire with other keys, whose definition gives the
decision roles to other fields, gets every comparison view, decision view and report format with
no change in code. And no Python file outside the tests refers to a key of the shipped one."""

import ast
import io
from pathlib import Path

import pytest
import yaml
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from questionnaire.loader import questionnaire_load
from reports.models import Report
from reports.services import report_build
from responses.models import Country
from tests.accounts.factories import CoordinatorFactory
from tests.conftest import US_DEFINITION
from tests.reports.factories import downloaded
from tests.responses.factories import submit

ROOT = Path(__file__).resolve().parents[2]
SECOND = ROOT / "tests" / "questionnaire" / "definitions" / "maritime-mission.yaml"
APPS = ["accounts", "audit", "config", "coordination", "core", "questionnaire", "reports", "responses"]

pytestmark = pytest.mark.django_db


def multi(*keys: str) -> dict:
    return {"selected": list(keys), "other": ""}


@pytest.fixture
def maritime(countries):
    """France and Poland offer sailors, Italy none; Germany has not answered."""
    round_ = questionnaire_load(path=SECOND).questionnaire.rounds.get()
    by_code = {code: Country.objects.get(code=code) for code in ("FR", "PL", "IT")}
    common = {"ready": "in", "when": "now", "deployment_months": 24}
    submit(
        round_,
        [by_code["FR"]],
        {
            **common,
            "joins": "in",
            "sailors": {"value": 1200, "figure_kind": "official"},
            "mission_strength": {"value": 8000, "figure_kind": None},
            "home_ports": multi("constanta", "varna"),
            "escort_now": multi("frigates"),
            "escort_later": multi("minehunters"),
            "measures": multi("port_bans"),
            "notes": '=HYPERLINK("http://evil.invalid") <b>bold</b>',
        },
    )
    submit(
        round_,
        [by_code["PL"]],
        {
            **common,
            "joins": "in",
            "sailors": {"value": 800, "figure_kind": "estimate"},
            "mission_strength": {"value": 12000, "figure_kind": None},
            "home_ports": multi("constanta"),
            "escort_now": multi("frigates", "patrol_aircraft"),
            "measures": multi("port_bans", "insurance"),
            "deployment_months": 36,
        },
    )
    submit(round_, [by_code["IT"]], {**common, "joins": "out", "sailors": {"value": 0, "figure_kind": None}})
    return round_


@pytest.fixture
def coordinator_client(client):
    client.force_login(CoordinatorFactory())
    return client


def page(client, name: str, query: str = "") -> str:
    answer = client.get(reverse(f"reports:{name}") + query)
    assert answer.status_code == 200, name
    return answer.content.decode()


def test_the_decision_views_find_their_fields_by_role(coordinator_client, maritime):
    troops = page(coordinator_client, "troops")
    assert 'data-testid="troops-total">2,000<' in troops  # 1,200 + 800 + 0 sailors
    assert "800 are estimates" in troops and "10,000" in troops  # the median mission strength

    support = page(coordinator_client, "us_support")
    assert "N = Escort needed at once, A = Escort needed afterwards." in support
    assert ">N+A<" not in support and ">N<" in support and ">A<" in support
    assert "Maritime patrol aircraft" in support

    stationing = page(coordinator_client, "stationing")
    assert "Home ports" in stationing and "Deployment length" in stationing
    assert "Constanța" in stationing and "median 24" in stationing

    sanctions = page(coordinator_client, "sanctions")
    assert "Insurance restrictions" in sanctions and "On a breach" not in sanctions.split("<tbody>")[1]


@pytest.mark.parametrize("name", ["comparison", "agreement", "changes", "status"])
def test_every_other_view_shows_the_second_questionnaire(coordinator_client, maritime, name):
    shown = page(coordinator_client, name)
    assert "Black Sea maritime mission" in shown or "Would your navy join?" in shown or "France" in shown
    assert "q1_" not in shown


def test_offering_troops_means_the_troops_offered_field_of_this_questionnaire(coordinator_client, maritime):
    offering = page(coordinator_client, "comparison", "?group=troops")
    everyone = page(coordinator_client, "comparison")
    assert "Italy" in everyone and "Italy" not in offering
    assert "France" in offering and "Poland" in offering


def test_a_report_in_every_format(maritime):
    coordinator = CoordinatorFactory()
    report = Report.objects.create(
        round=maritime, requested_by=coordinator, formats=[f.value for f in Report.Format]
    )
    built = report_build(report_id=report.pk)
    assert built.status == Report.Status.DONE, built.error

    html = downloaded(built, "html", coordinator).decode()
    assert "Sailors offered" in html and "Poland" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold</b>" not in html
    assert "Troops offered by country" in html  # the chart of the troops_offered role

    csv_text = downloaded(built, "csv", coordinator).decode("utf-8-sig")
    assert "Sailors offered" in csv_text and "'=HYPERLINK" in csv_text

    book = load_workbook(io.BytesIO(downloaded(built, "xlsx", coordinator)))
    cells = [c.value for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert "Home ports" in cells
    assert not any(isinstance(v, str) and v.startswith("=HYPERLINK") for v in cells)

    pdf = PdfReader(io.BytesIO(downloaded(built, "pdf", coordinator)))
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert "Mission strength proposed" in text and "France" in text


def test_no_python_file_outside_the_tests_names_a_field_of_the_shipped_questionnaire():
    definition = yaml.safe_load(US_DEFINITION.read_text(encoding="utf-8"))
    keys = {f["key"] for q in definition["questions"] for f in q["fields"]}
    assert len(keys) > 30
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and node.value in keys:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value}")
    assert found == [], "give the field a role in the definition instead:\n" + "\n".join(found)
