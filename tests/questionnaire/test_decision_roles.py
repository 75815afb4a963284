"""The decision roles a definition gives its fields (questionnaire/definition.py DecisionRole):
loaded onto the fields, and refused with the reason where a role does not fit."""

import pytest

from questionnaire.loader import DefinitionError, questionnaire_load
from questionnaire.models import Field
from tests.questionnaire.factories import write_variant

pytestmark = pytest.mark.django_db


def test_the_shipped_definition_gives_each_decision_view_its_fields(definition_copy):
    questionnaire_load(path=definition_copy)

    roles = {f.key: f.decision_roles for f in Field.objects.exclude(decision_roles=[])}
    assert roles["q1_troops_offered"] == ["troops_offered"]
    assert roles["q2_force_size"] == ["force_size"]
    assert roles["q3_short_term"] == roles["q3_long_term"] == ["us_support"]
    assert roles["q2_stationing_areas"] == ["stationing", "stationing_areas"]
    assert roles["q6_measures"] == ["sanctions_measures"]
    short = Field.objects.get(key="q3_short_term")
    assert (short.mark_en, short.mark_fr, short.mark_de) == ("S", "C", "K")


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        # A role on a field of the wrong type.
        (
            "      - key: q1_troops_offered\n        roles: [troops_offered]\n",
            "      - key: q1_troops_offered\n        roles: [sanctions_measures]\n",
            "role sanctions_measures takes a multi field, not integer",
        ),
        # A role of one field given to two.
        (
            "      - key: q2_force_size\n        roles: [force_size]\n",
            "      - key: q2_force_size\n        roles: [troops_offered]\n",
            "role troops_offered is held by one field, not several",
        ),
        # An unknown role.
        (
            "        roles: [force_size]\n",
            "        roles: [force_sizes]\n",
            r"questions\[1\]\.fields\[0\]\.roles\[0\]: Input should be 'troops_offered', 'force_size'",
        ),
    ],
)
def test_a_role_that_does_not_fit_is_refused_with_the_reason(definition_copy, old, new, reason):
    write_variant(definition_copy, old, new)

    with pytest.raises(DefinitionError, match=reason):
        questionnaire_load(path=definition_copy)
    assert not Field.objects.exists()


def test_the_matrix_of_several_fields_shares_one_taxonomy(definition_copy):
    write_variant(
        definition_copy,
        "      - key: q6_measures\n        roles: [sanctions_measures]\n",
        "      - key: q6_measures\n        roles: [us_support]\n",
    )

    with pytest.raises(DefinitionError, match="the us_support fields share one taxonomy"):
        questionnaire_load(path=definition_copy)
