import pytest

from questionnaire import loader
from questionnaire.loader import DefinitionError, definition_parse, questionnaire_load
from questionnaire.models import Field, Option, Question, Questionnaire, Round, Taxonomy
from responses.models import Country
from responses.services import response_start
from tests.conftest import US_DEFINITION
from tests.questionnaire.factories import write_variant

pytestmark = pytest.mark.django_db

# Every field of shared/QUESTIONNAIRE.md: key -> (question, type, taxonomy, aggregation).
EXPECTED_FIELDS = {
    "q1_participate": (1, "choice", "WILLINGNESS", "count"),
    "q1_participate_conditions": (1, "text", None, "none"),
    "q1_send_troops": (1, "choice", "WILLINGNESS", "count"),
    "q1_troop_conditions": (1, "text", None, "none"),
    "q1_troops_offered": (1, "integer", None, "sum+stats"),
    "q1_roles_offered": (1, "multi", "CONTRIBUTION_ROLES", "mentions"),
    "q1_legal_basis_required": (1, "multi", "LEGAL_BASIS", "mentions"),
    "q1_other_contributors": (1, "countries", None, "mentions"),
    "q1_comments": (1, "text", None, "none"),
    "q2_force_size": (2, "integer", None, "stats"),
    "q2_posture": (2, "choice", "POSTURE", "count"),
    "q2_stationing_areas": (2, "multi", "STATIONING_AREAS", "mentions"),
    "q2_command": (2, "choice", "COMMAND_ARRANGEMENT", "count"),
    "q2_duration_kind": (2, "choice", "DURATION_KIND", "count"),
    "q2_duration_months": (2, "months", None, "stats"),
    "q2_comments": (2, "text", None, "none"),
    "q3_us_support_needed": (3, "choice", "US_SUPPORT_NEED", "count"),
    "q3_short_term": (3, "multi", "US_SUPPORT", "mentions"),
    "q3_long_term": (3, "multi", "US_SUPPORT", "mentions"),
    "q3_backstop_precondition": (3, "choice", "YES_NO_DEPENDS", "count"),
    "q3_comments": (3, "text", None, "none"),
    "q4_rules_of_engagement": (4, "choice", "RULES_OF_ENGAGEMENT", "count"),
    "q4_allied_actions": (4, "multi", "ATTACK_RESPONSES", "mentions"),
    "q4_us_actions": (4, "multi", "ATTACK_RESPONSES", "mentions"),
    "q4_commitment_form": (4, "choice", "COMMITMENT_FORM", "count"),
    "q4_comments": (4, "text", None, "none"),
    "q5_capabilities": (5, "multi", "CAPABILITIES", "mentions"),
    "q5_value_eur_m": (5, "integer", None, "sum+stats"),
    "q5_period_months": (5, "months", None, "stats"),
    "q5_maintenance": (5, "choice", "MAINTENANCE_OFFER", "count"),
    "q5_coproduction": (5, "choice", "COPRODUCTION_STATUS", "count"),
    "q5_comments": (5, "text", None, "none"),
    "q6_willing": (6, "choice", "SANCTIONS_WILLINGNESS", "count"),
    "q6_measures": (6, "multi", "SANCTION_MEASURES", "mentions"),
    "q6_enforcement": (6, "multi", "ENFORCEMENT_MEASURES", "mentions"),
    "q6_timing": (6, "choice", "SANCTIONS_TIMING", "count"),
    "q6_comments": (6, "text", None, "none"),
}
# Option counts of the named taxonomies of QUESTIONNAIRE.md, "other (specify)" included.
EXPECTED_TAXONOMY_SIZES = {
    "CONTRIBUTION_ROLES": 13,
    "LEGAL_BASIS": 6,
    "POSTURE": 4,
    "STATIONING_AREAS": 9,
    "COMMAND_ARRANGEMENT": 6,
    "US_SUPPORT": 17,
    "ATTACK_RESPONSES": 11,
    "CAPABILITIES": 16,
    "SANCTION_MEASURES": 13,
    "ENFORCEMENT_MEASURES": 7,
    "WILLINGNESS": 4,
}


def snapshot() -> dict[str, list[tuple]]:
    """Every row the loader writes, to compare the database before and after."""
    return {
        "questionnaires": list(Questionnaire.objects.values_list().order_by("pk")),
        "rounds": list(Round.objects.values_list().order_by("pk")),
        "taxonomies": list(Taxonomy.objects.values_list().order_by("pk")),
        "options": list(Option.objects.values_list().order_by("pk")),
        "questions": list(Question.objects.values_list().order_by("pk")),
        "fields": list(Field.objects.values_list().order_by("pk")),
    }


class TestShippedDefinition:
    def test_loads_all_six_questions_with_every_field_typed(self):
        report = questionnaire_load(path=US_DEFINITION)

        assert report.created
        questionnaire = report.questionnaire
        assert questionnaire.handling_marking == "NATO RESTRICTED"
        assert list(questionnaire.questions.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6]
        fields = {
            f.key: (f.question.number, f.field_type, f.taxonomy.key if f.taxonomy else None, f.aggregation)
            for f in Field.objects.select_related("question", "taxonomy")
        }
        assert fields == EXPECTED_FIELDS

    def test_taxonomies_carry_every_option_and_other_asks_for_text(self):
        questionnaire_load(path=US_DEFINITION)

        sizes = {t.key: t.options.count() for t in Taxonomy.objects.all()}
        for key, size in EXPECTED_TAXONOMY_SIZES.items():
            assert sizes[key] == size, key
        us_support = Taxonomy.objects.get(key="US_SUPPORT")
        assert us_support.options.get(key="other").asks_for_text
        assert not us_support.options.get(key="us_backstop").asks_for_text
        assert list(us_support.options.values_list("position", flat=True)) == list(range(1, 18))

    def test_numbers_ranges_lengths_and_conditions(self):
        questionnaire_load(path=US_DEFINITION)

        troops = Field.objects.get(key="q1_troops_offered")
        assert (troops.unit, troops.min_value, troops.max_value) == ("personnel", 0, 100000)
        assert troops.has_figure_kind
        assert troops.show_when_field.key == "q1_send_troops"
        assert troops.show_when_values == ["yes", "yes_with_conditions"]
        assert Field.objects.get(key="q2_force_size").max_value == 500000
        months = Field.objects.get(key="q2_duration_months")
        assert (months.min_value, months.max_value, months.show_when_values) == (1, 240, ["fixed_term"])
        assert Field.objects.get(key="q1_troop_conditions").max_length == 2000
        assert Field.objects.get(key="q6_comments").max_length == 4000
        assert Field.objects.get(key="q5_value_eur_m").has_figure_kind

    def test_creates_the_first_round_open_with_the_marking(self):
        questionnaire_load(path=US_DEFINITION)

        round_ = Round.objects.get()
        assert round_.status == Round.Status.OPEN
        assert round_.handling_marking == "NATO RESTRICTED"
        assert round_.deadline > round_.opens_at


class TestIdempotence:
    def test_loading_twice_changes_nothing(self):
        questionnaire_load(path=US_DEFINITION)
        before = snapshot()

        report = questionnaire_load(path=US_DEFINITION)

        assert not report.created
        assert report.changes == []
        assert snapshot() == before

    def test_reload_keeps_the_coordinators_round_settings(self, us_round):
        us_round.status = Round.Status.CLOSED
        us_round.handling_marking = "NATO CONFIDENTIAL"
        us_round.save()

        questionnaire_load(path=US_DEFINITION)

        us_round.refresh_from_db()
        assert us_round.status == Round.Status.CLOSED
        assert us_round.handling_marking == "NATO CONFIDENTIAL"

    def test_a_changed_definition_updates_only_what_changed(self, definition_copy):
        questionnaire_load(path=definition_copy)
        troops_pk = Field.objects.get(key="q1_troops_offered").pk
        write_variant(definition_copy, "en: Troops your government would offer", "en: Troops offered")
        write_variant(
            definition_copy,
            "      - key: q6_comments\n",
            "      - key: q6_legal_notes\n        type: text\n        label: Legal notes\n"
            "        max_length: 500\n      - key: q6_comments\n",
        )

        report = questionnaire_load(path=definition_copy)

        assert sorted(report.changes) == [
            # The English text changed (each language is its own column).
            "field q1_troops_offered: changed label_en",
            "field q6_comments: changed position",
            "field q6_legal_notes: added",
        ]
        troops = Field.objects.get(key="q1_troops_offered")
        assert (troops.pk, troops.label) == (troops_pk, "Troops offered")
        assert list(Field.objects.filter(question__number=6).values_list("key", flat=True)) == [
            "q6_willing",
            "q6_measures",
            "q6_enforcement",
            "q6_timing",
            "q6_legal_notes",
            "q6_comments",
        ]

    def test_fields_can_swap_places(self, definition_copy):
        questionnaire_load(path=definition_copy)
        text = definition_copy.read_text(encoding="utf-8")
        q3_short = text[text.index("      - key: q3_short_term") : text.index("      - key: q3_long_term")]
        q3_long = text[
            text.index("      - key: q3_long_term") : text.index("      - key: q3_backstop_precondition")
        ]
        definition_copy.write_text(text.replace(q3_short + q3_long, q3_long + q3_short), encoding="utf-8")

        questionnaire_load(path=definition_copy)

        keys = list(Field.objects.filter(question__number=3).values_list("key", flat=True))
        assert keys[1:3] == ["q3_long_term", "q3_short_term"]

    def test_an_unanswered_field_can_be_removed(self, definition_copy):
        questionnaire_load(path=definition_copy)
        text = definition_copy.read_text(encoding="utf-8")
        start = text.index("      - key: q5_comments")
        end = text.index("  - key: q6")
        definition_copy.write_text(text[:start] + "\n" + text[end:], encoding="utf-8")

        report = questionnaire_load(path=definition_copy)

        assert "field q5_comments: removed" in report.changes
        assert not Field.objects.filter(key="q5_comments").exists()


class TestAnsweredFieldsAreProtected:
    @pytest.fixture
    def answered(self, definition_copy, countries, django_user_model):
        from responses.models import ResponseVersion

        report = questionnaire_load(path=definition_copy)
        response = response_start(
            round=report.questionnaire.rounds.get(), countries=[Country.objects.get(code="FR")]
        )
        user = django_user_model.objects.create(username="fr.drafter")
        ResponseVersion.objects.create(
            response=response,
            number=1,
            kind=ResponseVersion.Kind.DRAFT,
            answers={"q5_comments": "Our comment", "q2_posture": "mixed"},
            created_by=user,
        )
        return definition_copy

    def test_refuses_to_remove_a_field_that_has_answers(self, answered):
        text = answered.read_text(encoding="utf-8")
        start = text.index("      - key: q5_comments")
        answered.write_text(text[:start] + "\n" + text[text.index("  - key: q6") :], encoding="utf-8")
        before = snapshot()

        with pytest.raises(
            DefinitionError, match="field 'q5_comments' is no longer in the file, but 1 saved"
        ):
            questionnaire_load(path=answered)

        assert snapshot() == before

    def test_refuses_to_drop_an_option_that_answers_use(self, answered):
        write_variant(
            answered, '      - {key: mixed, label: {en: "Mixed", fr: "Mixte", de: "Gemischt"}}\n', ""
        )

        with pytest.raises(DefinitionError, match="would lose option"):
            questionnaire_load(path=answered)

        assert Option.objects.filter(taxonomy__key="POSTURE", key="mixed").exists()

    def test_refuses_to_change_the_type_of_an_answered_field(self, answered):
        text = answered.read_text(encoding="utf-8")
        block = text[text.index("      - key: q5_comments\n") :]
        block = block[: block.index("        max_length: 4000\n") + len("        max_length: 4000\n")]
        retyped = block.replace("type: text", "type: countries").replace("        max_length: 4000\n", "")
        answered.write_text(text.replace(block, retyped), encoding="utf-8")

        with pytest.raises(DefinitionError, match="changes type from text to countries"):
            questionnaire_load(path=answered)


class TestMalformedDefinitions:
    def assert_nothing_written(self):
        assert not Questionnaire.objects.exists()
        assert not Taxonomy.objects.exists()
        assert not Field.objects.exists()

    def test_yaml_syntax_error_names_file_and_line(self, definition_copy):
        write_variant(definition_copy, "    en: Security arrangements for Ukraine\n", "    en: [unclosed\n")

        with pytest.raises(DefinitionError) as caught:
            questionnaire_load(path=definition_copy)

        message = str(caught.value)
        assert str(definition_copy) in message
        assert caught.value.line is not None and f"line {caught.value.line}" in message
        assert "not valid YAML" in message
        self.assert_nothing_written()

    def test_unknown_key_is_named_with_its_line(self, definition_copy):
        write_variant(
            definition_copy, "        agg: sum+stats\n", "        agg: sum+stats\n        colour: red\n"
        )
        expected_line = (
            definition_copy.read_text(encoding="utf-8").splitlines().index("        colour: red") + 1
        )

        with pytest.raises(DefinitionError) as caught:
            questionnaire_load(path=definition_copy)

        error = caught.value
        assert error.key_path == ("questions", 0, "fields", 4, "colour")
        assert error.line == expected_line
        assert str(error) == (
            f"{definition_copy}: line {expected_line}: questions[0].fields[4].colour: "
            "unknown key (check its spelling)"
        )
        self.assert_nothing_written()

    def test_unknown_taxonomy(self, definition_copy):
        write_variant(definition_copy, "taxonomy: POSTURE", "taxonomy: POSTURES")

        with pytest.raises(
            DefinitionError, match=r"questions\[1\]\.fields\[1\]\.taxonomy: unknown taxonomy 'POSTURES'"
        ):
            questionnaire_load(path=definition_copy)
        self.assert_nothing_written()

    def test_unquoted_yes_gets_a_hint(self, definition_copy):
        write_variant(definition_copy, '{key: "yes", label: {en: "Yes"', '{key: yes, label: {en: "Yes"')

        with pytest.raises(
            DefinitionError, match=r"taxonomies\.WILLINGNESS\.options\[0\]\.key: .*put it in quotes"
        ):
            questionnaire_load(path=definition_copy)

    def test_show_when_must_name_an_earlier_field_and_a_real_option(self, definition_copy):
        write_variant(
            definition_copy,
            "show_when: {field: q1_participate, in: [yes_with_conditions]}",
            "show_when: {field: q1_participate, in: [perhaps]}",
        )

        with pytest.raises(DefinitionError, match="'perhaps' is not an option of WILLINGNESS"):
            questionnaire_load(path=definition_copy)

        write_variant(
            definition_copy,
            "show_when: {field: q1_participate, in: [perhaps]}",
            'show_when: {field: q6_willing, in: ["no"]}',
        )
        with pytest.raises(
            DefinitionError, match="show_when names 'q6_willing', which is not an earlier field"
        ):
            questionnaire_load(path=definition_copy)
        self.assert_nothing_written()

    def test_type_rules_are_checked(self, definition_copy):
        write_variant(
            definition_copy, "        min: 0\n        max: 500000\n", "        min: 500000\n        max: 0\n"
        )

        with pytest.raises(
            DefinitionError, match=r"questions\[1\]\.fields\[0\]: min \(500000\) is greater than max \(0\)"
        ):
            questionnaire_load(path=definition_copy)

    def test_duplicate_field_keys_are_refused(self, definition_copy):
        write_variant(definition_copy, "      - key: q2_comments", "      - key: q1_comments")

        with pytest.raises(DefinitionError, match="duplicate field key 'q1_comments'"):
            questionnaire_load(path=definition_copy)

    def test_missing_file(self, tmp_path):
        with pytest.raises(DefinitionError, match="cannot read the file"):
            definition_parse(tmp_path / "absent.yaml")

    def test_a_failure_while_writing_leaves_nothing_half_loaded(self, monkeypatch):
        def fail(*args, **kwargs):
            raise RuntimeError("database went away")

        monkeypatch.setattr(loader, "_load_rounds", fail)

        with pytest.raises(RuntimeError):
            questionnaire_load(path=US_DEFINITION)

        self.assert_nothing_written()


def test_command_reports_a_malformed_file_and_writes_nothing(definition_copy):
    from django.core.management import CommandError, call_command

    write_variant(definition_copy, "format_version: 1", "format_version: 2")

    with pytest.raises(CommandError, match=r"Nothing was loaded from .*format_version: Input should be 1"):
        call_command("load_questionnaire", str(definition_copy))
    assert not Questionnaire.objects.exists()


def test_command_loads_the_shipped_definitions_by_default(capsys):
    from django.core.management import call_command

    call_command("load_questionnaire")
    call_command("load_questionnaire")

    out = capsys.readouterr().out
    assert "Loaded new questionnaire “Security arrangements for Ukraine”" in out
    assert "is already up to date" in out
    assert Field.objects.count() == len(EXPECTED_FIELDS)


def test_a_figure_marked_non_additive_cannot_be_summed(db, definition_copy):
    write_variant(
        definition_copy,
        "        agg: stats\n        additive: false",
        "        agg: sum+stats\n        additive: false",
    )

    with pytest.raises(DefinitionError, match="cannot be summed: use agg: stats"):
        questionnaire_load(path=definition_copy)


def test_force_size_and_durations_show_no_sum(us_round):
    from reports.selectors import comparison_build
    from responses.models import Country
    from tests.responses.factories import COMPLETE, submit

    for code, size in (("FR", 30000), ("DE", 20000)):
        submit(us_round, [Country.objects.get(code=code)], {**COMPLETE, "q2_force_size": {"value": size}})
    rows = {row.field.key: row for block in comparison_build(round=us_round).blocks for row in block.rows}

    force = rows["q2_force_size"].summary
    assert not force.summed and force.numbers.median == 25000
    assert (force.numbers.count, force.responses) == (2, 2)
    assert rows["q1_troops_offered"].summary.summed


def test_a_reload_that_changes_the_setup_is_audited_from_what_to_what(db, definition_copy):
    from audit.models import AuditEvent

    questionnaire_load(path=definition_copy)
    write_variant(definition_copy, "en: Troops your government would offer", "en: Troops offered")
    questionnaire_load(path=definition_copy)
    questionnaire_load(path=definition_copy)  # nothing changes: nothing audited

    events = AuditEvent.objects.filter(action="questionnaire.load").order_by("pk")
    assert events.count() == 2  # the first load, and the one that changed a label
    assert {
        "object": "field q1_troops_offered",
        "field": "label_en",
        "from": "Troops your government would offer",
        "to": "Troops offered",
    } in events.last().detail["values"]
