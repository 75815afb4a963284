"""What a submitted version says never changes through the admin: an option that answers use
keeps its key and label and is not deleted (new options may be added); every inline change is
audited with what changed from what to what."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.services import admin_access_sync
from audit.models import AuditEvent
from questionnaire.models import Option, Taxonomy
from reports.models import Report
from reports.selectors import comparison_build
from reports.services import report_build
from responses.models import Country
from tests.accounts.factories import AnalystFactory, CoordinatorFactory
from tests.responses.factories import COMPLETE, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def willingness(us_round):
    submit(us_round, [Country.objects.get(code="GB")], {**COMPLETE, "q1_participate": "yes"})
    return Taxonomy.objects.get(questionnaire=us_round.questionnaire, key="WILLINGNESS")


@pytest.fixture
def admin_client(client):
    coordinator = CoordinatorFactory()
    admin_access_sync(coordinator)
    client.force_login(coordinator)
    return client


def taxonomy_post(taxonomy: Taxonomy, edit=lambda rows: rows) -> dict:
    """The admin's change form of a taxonomy, as the browser posts it, after `edit`."""
    rows = [
        {"id": o.pk, "key": o.key, "label": o.label, "position": o.position, "asks_for_text": o.asks_for_text}
        for o in taxonomy.options.order_by("position")
    ]
    rows = edit(rows)
    data = {
        "questionnaire": taxonomy.questionnaire_id,
        "key": taxonomy.key,
        "name": taxonomy.name,
        "options-TOTAL_FORMS": len(rows),
        "options-INITIAL_FORMS": sum(1 for r in rows if r.get("id")),
        "options-MIN_NUM_FORMS": 0,
        "options-MAX_NUM_FORMS": 1000,
    }
    for i, row in enumerate(rows):
        for name, value in row.items():
            if name == "asks_for_text":
                if value:
                    data[f"options-{i}-{name}"] = "on"
            elif value is not None:
                data[f"options-{i}-{name}"] = value
        data[f"options-{i}-taxonomy"] = taxonomy.pk
    return data


def url(taxonomy: Taxonomy) -> str:
    return reverse("admin:questionnaire_taxonomy_change", args=[taxonomy.pk])


def test_swapping_the_labels_of_used_options_is_refused(admin_client, willingness, us_round):
    def swap(rows):
        labels = {r["key"]: r["label"] for r in rows}
        for r in rows:
            if r["key"] in ("yes", "no"):
                r["label"] = labels["no" if r["key"] == "yes" else "yes"]
        return rows

    page = admin_client.post(url(willingness), taxonomy_post(willingness, swap))

    assert page.status_code == 200  # the form again, with the reason
    assert "chosen in" in page.content.decode()
    assert Option.objects.get(taxonomy=willingness, key="yes").label == "Yes"
    rows = {r.field.key: r for b in comparison_build(round=us_round).blocks for r in b.rows}
    assert rows["q1_participate"].cells == ["Yes"]
    # And in every report format.
    report = Report.objects.create(
        round=us_round,
        requested_by=AnalystFactory(),
        formats=["html", "csv", "xlsx", "pdf"],
        question_numbers=[1],
    )
    report = report_build(report_id=report.pk)
    files = {f.format: bytes(f.content) for f in report.files.all()}
    csv_rows = list(csv.reader(io.StringIO(files["csv"].decode("utf-8-sig"))))
    assert ["United Kingdom", "GB", "1", "q1_participate"] in [row[:4] for row in csv_rows]
    assert next(row for row in csv_rows if row[3:4] == ["q1_participate"])[5] == "Yes"
    sheet = load_workbook(io.BytesIO(files["xlsx"]))["Q1"]
    assert "Yes" in [cell.value for row in sheet.iter_rows() for cell in row]
    assert "No" not in [
        c.value
        for row in sheet.iter_rows()
        if row[1].value == rows["q1_participate"].field.label
        for c in row[2:]
    ]
    assert "<td>Yes</td>" in files["html"].decode() or ">Yes<" in files["html"].decode()
    pdf_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(files["pdf"])).pages)
    assert "Yes" in pdf_text


def test_deleting_a_used_option_is_refused(admin_client, willingness):
    def delete_yes(rows):
        for r in rows:
            if r["key"] == "yes":
                r["DELETE"] = "on"
        return rows

    page = admin_client.post(url(willingness), taxonomy_post(willingness, delete_yes))

    assert page.status_code == 200 and "cannot be deleted" in page.content.decode()
    assert Option.objects.filter(taxonomy=willingness, key="yes").exists()


def test_an_unused_option_is_relabelled_and_a_new_one_added_audited_from_what_to_what(
    admin_client, willingness
):
    def edit(rows):
        for r in rows:
            if r["key"] == "undecided":
                r["label"] = "Not yet decided"
        rows.append({"key": "abstain", "label": "Abstain", "position": 99, "asks_for_text": False})
        return rows

    page = admin_client.post(url(willingness), taxonomy_post(willingness, edit))

    assert page.status_code == 302, page.content.decode()[:2000]
    assert Option.objects.get(taxonomy=willingness, key="undecided").label == "Not yet decided"
    events = [e.detail for e in AuditEvent.objects.filter(action="admin.change") if e.detail.get("inline_of")]
    relabelled = next(
        d for d in events if d["object"].endswith("Not yet decided") or "undecided" in d["object"]
    )
    assert relabelled["changes"]["label"] == ["Undecided", "Not yet decided"]
    assert any(d.get("created") and "Abstain" in d["object"] for d in events)


def test_the_loader_refuses_to_relabel_a_used_option_by_the_same_rule(willingness, definition_copy):
    from questionnaire.loader import DefinitionError, questionnaire_load
    from tests.questionnaire.factories import write_variant

    write_variant(definition_copy, '{key: "yes", label: {en: "Yes"', '{key: "yes", label: {en: "No"')

    with pytest.raises(DefinitionError, match="its key and label keep what those answers meant"):
        questionnaire_load(path=definition_copy)
    assert Option.objects.get(taxonomy=willingness, key="yes").label == "Yes"
