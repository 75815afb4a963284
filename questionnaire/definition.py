"""The definition file format: a YAML document checked against this schema before anything is
written. Each model forbids unknown keys, so a typo is reported rather than ignored."""

from typing import Annotated, Literal

from django.conf import settings
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=100)]
TaxonomyKey = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$", max_length=100)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

# The languages a text may be given in: the interface's. English is required.
LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)


def _as_texts(value: object, *, required: bool) -> dict[str, str]:
    """A text as one English string, or as {en: ..., fr: ..., de: ...}: always the mapping."""
    if value is None:
        value = ""
    if isinstance(value, str):
        value = {"en": value}
    if not isinstance(value, dict):
        raise ValueError("a text is a string, or a mapping from language code to string")
    unknown = sorted(set(map(str, value)) - set(LANGUAGE_CODES))
    if unknown:
        raise ValueError(f"unknown language(s) {', '.join(unknown)} (offered: {', '.join(LANGUAGE_CODES)})")
    texts = {}
    for code, text in value.items():
        if not isinstance(text, str):
            raise ValueError(f"the {code} text must be a string")
        texts[str(code)] = text.strip()
    if required and not texts.get("en"):
        raise ValueError("the English text (en) is required")
    return texts


# A required text (title, label) and an optional one (help), each in one or more languages.
Texts = Annotated[dict[str, str], BeforeValidator(lambda v: _as_texts(v, required=True))]
OptionalTexts = Annotated[dict[str, str], BeforeValidator(lambda v: _as_texts(v, required=False))]

FieldType = Literal["choice", "multi", "integer", "months", "countries", "text"]
Aggregation = Literal["count", "sum+stats", "stats", "mentions", "none"]
# The keys of questionnaire.answers.NON_ANSWER_KINDS.
NonAnswer = Literal["no_position", "not_applicable", "will_not_state"]

# What a field is for in the decision views and the reports (reports/decisions.py): the code asks
# for a role, never for a field key, so another questionnaire tags its own fields. Each role names
# the field types it takes, and whether one field holds it or several (shown side by side).
DecisionRole = Literal[
    "troops_offered",
    "force_size",
    "us_support",
    "stationing",
    "stationing_areas",
    "stationing_months",
    "sanctions_measures",
    "sanctions_willing",
    "sanctions_timing",
]
ROLE_TYPES: dict[str, tuple[str, ...]] = {
    "troops_offered": ("integer",),
    "force_size": ("integer",),
    "us_support": ("multi",),
    "stationing": ("choice", "multi", "integer", "months", "countries", "text"),
    "stationing_areas": ("multi",),
    "stationing_months": ("months",),
    "sanctions_measures": ("multi",),
    "sanctions_willing": ("choice",),
    "sanctions_timing": ("choice",),
}
SEVERAL_FIELDS_ROLES = ("us_support", "stationing")
DEFAULT_NON_ANSWERS: list[NonAnswer] = ["no_position", "not_applicable", "will_not_state"]

# Which aggregation makes sense for which type: counting options of a number means nothing.
AGGREGATIONS_BY_TYPE: dict[str, set[str]] = {
    "choice": {"count", "none"},
    "multi": {"mentions", "none"},
    "countries": {"mentions", "none"},
    "integer": {"sum+stats", "stats", "none"},
    "months": {"sum+stats", "stats", "none"},
    "text": {"none"},
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OptionDef(Strict):
    key: Key
    label: Texts
    other: bool = False


class TaxonomyDef(Strict):
    name: Texts
    options: list[OptionDef] = Field(min_length=1)


class ShowWhenDef(Strict):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    field: Key
    values: list[Key] = Field(alias="in", min_length=1)


class FieldDef(Strict):
    key: Key
    type: FieldType
    label: Texts
    help: OptionalTexts = {}
    required: bool = False
    unit: OptionalTexts = {}
    min: int | None = None
    max: int | None = None
    max_length: int | None = Field(default=None, ge=1, le=100_000)
    taxonomy: TaxonomyKey | None = None
    figure_kind: bool = False
    show_when: ShowWhenDef | None = None
    agg: Aggregation = "none"
    # False for a figure whose sum means nothing (proposals for one force's size, durations):
    # the loader then refuses "sum+stats" for it.
    additive: bool = True
    # The declared non-answers the field accepts; unset: the questionnaire's default for a
    # required field, none for an optional one (it can be left empty). [] accepts none.
    non_answers: list[NonAnswer] | None = None
    # Its parts in the decision views (DecisionRole), and the short mark that stands for it in
    # a matrix of several fields ("S" for short term), per language.
    roles: list[DecisionRole] = []
    mark: OptionalTexts = {}

    @model_validator(mode="after")
    def check_type_rules(self) -> "FieldDef":
        for role in self.roles:
            if self.type not in ROLE_TYPES[role]:
                wanted = " or ".join(ROLE_TYPES[role])
                raise ValueError(f"role {role} takes a {wanted} field, not {self.type}")
        if self.agg == "sum+stats" and not self.additive:
            raise ValueError("a figure marked additive: false cannot be summed: use agg: stats")
        has_options = self.type in ("choice", "multi")
        if has_options and not self.taxonomy:
            raise ValueError(f"a {self.type} field needs a taxonomy")
        if not has_options and self.taxonomy:
            raise ValueError(f"a {self.type} field takes no taxonomy")
        if self.type in ("integer", "months"):
            if self.min is None or self.max is None:
                raise ValueError(f"a {self.type} field needs min and max")
            if self.min > self.max:
                raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        elif self.min is not None or self.max is not None:
            raise ValueError(f"a {self.type} field takes no min or max")
        if self.type == "text" and self.max_length is None:
            raise ValueError("a text field needs max_length")
        if self.type != "text" and self.max_length is not None:
            raise ValueError(f"a {self.type} field takes no max_length")
        if self.figure_kind and self.type != "integer":
            raise ValueError("figure_kind applies to integer fields only")
        if self.agg not in AGGREGATIONS_BY_TYPE[self.type]:
            allowed = ", ".join(sorted(AGGREGATIONS_BY_TYPE[self.type]))
            raise ValueError(f"agg '{self.agg}' does not fit a {self.type} field (use {allowed})")
        return self


class QuestionDef(Strict):
    key: Key
    number: int = Field(ge=1)
    title: Texts
    text: Texts
    help: OptionalTexts = {}
    fields: list[FieldDef] = Field(min_length=1)


class RoundDef(Strict):
    key: Key
    title: Text
    opens_at: AwareDatetime | None = None
    deadline: AwareDatetime | None = None
    status: Literal["planned", "open", "closed"] = "planned"
    handling_marking: str | None = None
    # ISO 3166 alpha-2 codes of the countries the round is sent to (none: every invitable one).
    addressees: list[Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]] = []

    @model_validator(mode="after")
    def check_dates(self) -> "RoundDef":
        if self.opens_at and self.deadline and self.deadline <= self.opens_at:
            raise ValueError("deadline must be after opens_at")
        return self


class QuestionnaireMeta(Strict):
    key: Key
    title: Texts
    description: OptionalTexts = {}
    coordinator: str = ""
    handling_marking: Text
    definition_version: int = Field(ge=1)
    # What every required field accepts instead of an answer unless it names its own.
    default_non_answers: list[NonAnswer] = DEFAULT_NON_ANSWERS


class DefinitionFile(Strict):
    format_version: Literal[1]
    questionnaire: QuestionnaireMeta
    rounds: list[RoundDef] = []
    taxonomies: dict[TaxonomyKey, TaxonomyDef]
    questions: list[QuestionDef] = Field(min_length=1)

    @model_validator(mode="after")
    def check_roles(self) -> "DefinitionFile":
        holders: dict[DecisionRole, list[FieldDef]] = {}
        for question in self.questions:
            for field_def in question.fields:
                for role in field_def.roles:
                    holders.setdefault(role, []).append(field_def)
        for role, fields in holders.items():
            if len(fields) > 1 and role not in SEVERAL_FIELDS_ROLES:
                keys = ", ".join(f.key for f in fields)
                raise ValueError(f"role {role} is held by one field, not several ({keys})")
        support = holders.get("us_support", [])
        if len({f.taxonomy for f in support}) > 1:
            raise ValueError("the us_support fields share one taxonomy (they form one matrix)")
        return self
