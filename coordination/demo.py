"""Invented demo data: accounts for every seeded country and illustrative responses.

Nothing here states any government's position: answers are drawn at random (seeded by the
country code, so every run produces the same data) and every text says it is illustrative.
"""

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from accounts.services import admin_access_sync
from questionnaire.answers import field_is_shown
from questionnaire.models import Field, Round
from questionnaire.selectors import questions_with_fields
from responses.models import Country, Membership, Response, ResponseAuthor
from responses.selectors import round_addressees
from responses.services import (
    countries_load,
    membership_grant,
    response_save_draft,
    response_start,
    response_submit,
)

DEFAULT_COUNTRY_COUNT = 30
# The order in which countries are seeded; every invitable country appears once.
# fmt: off
SEED_ORDER = (
    "GB", "FR", "DE", "PL", "IT", "NL", "ES", "SE", "FI", "DK", "NO", "EE", "LV", "LT", "BE",
    "CZ", "RO", "CA", "PT", "GR", "HR", "SK", "SI", "BG", "HU", "IE", "AT", "LU", "IS", "TR",
    "AL", "ME", "MK", "CY", "MT", "MD", "GE", "CH", "AU", "JP", "NZ", "KR", "RS", "BA", "XK",
    "AM", "AZ", "AD", "LI", "MC", "SM", "VA",
)
# fmt: on
# Answered together as one joint response when all are seeded.
JOINT_GROUP = ("EE", "LV", "LT")

DEMO_TEXTS = (
    "Illustrative demo answer: subject to approval by the national parliament and a clear mandate.",
    "Illustrative demo answer: the contribution would be reviewed every six months with partners.",
    "Illustrative demo answer: depends on burden-sharing among contributors & costs < EUR 2 bn.",
    "Illustrative demo answer: the government would coordinate its position with EU partners first.",
    "Illustrative demo answer: a contribution is possible once a ceasefire has held for 90 days.",
    'Illustrative demo answer: "interoperability" with NATO standards is assumed throughout.',
)
DEMO_ANSWERS_FILE = Path(__file__).resolve().parent / "demo_answers.yaml"


@dataclass(frozen=True)
class DemoPlan:
    """What demo_answers.yaml says of one questionnaire (nothing: every field answered at random)."""

    stance_fields: tuple[str, ...] = ()
    takes_part_field: str = ""
    numbers: dict[str, tuple[int, ...]] = field(default_factory=dict)


def demo_plan(questionnaire_key: str) -> DemoPlan:
    entry = (yaml.safe_load(DEMO_ANSWERS_FILE.read_text(encoding="utf-8")) or {}).get(questionnaire_key) or {}
    return DemoPlan(
        stance_fields=tuple(entry.get("stance_fields", ())),
        takes_part_field=entry.get("takes_part_field", ""),
        numbers={key: tuple(values) for key, values in (entry.get("numbers") or {}).items()},
    )


@dataclass
class SeedReport:
    countries: list[str] = field(default_factory=list)
    users_created: int = 0
    responses_created: int = 0
    submitted: int = 0
    drafts: int = 0
    warnings: list[str] = field(default_factory=list)


def seedable_countries(round: Round | None = None) -> list[Country]:
    """Invitable countries in seeding order; a round's addressees first, so that the demo's
    responses come from countries the round was sent to."""
    by_code = {c.code: c for c in Country.objects.filter(is_invitable=True)}
    ordered = [by_code.pop(code) for code in SEED_ORDER if code in by_code]
    ordered += sorted(by_code.values(), key=lambda c: c.code)
    if round is not None:
        addressed = {c.pk for c in round_addressees(round)}
        ordered.sort(key=lambda c: c.pk not in addressed)  # stable: seeding order within each
    return ordered


def _user(username: str, *, password_hash: str, report: SeedReport, **values: Any) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={**values, "password": password_hash}
    )
    if created:
        report.users_created += 1
    else:
        User.objects.filter(pk=user.pk).update(**values, password=password_hash)
    return user


@transaction.atomic
def demo_seed(*, round: Round, country_count: int = DEFAULT_COUNTRY_COUNT, password: str) -> SeedReport:
    """Creates the demo accounts and responses; running it again adds only what is missing."""
    countries_load()
    candidates = seedable_countries(round)
    if not 1 <= country_count <= len(candidates):
        raise ValidationError(f"--countries must be between 1 and {len(candidates)}.")
    countries = candidates[:country_count]
    report = SeedReport(countries=[c.code for c in countries])
    # Hashed once for all accounts: a deliberately slow hash per account would make seeding 50
    # countries take minutes, and the demo accounts share the password by design.
    password_hash = make_password(password)

    _user(
        "analyst",
        password_hash=password_hash,
        report=report,
        global_role=User.GlobalRole.ANALYST,
        first_name="Demo",
        last_name="Analyst",
        email="analyst@example.invalid",
    )
    coordinator = _user(
        "coordinator",
        password_hash=password_hash,
        report=report,
        global_role=User.GlobalRole.COORDINATOR,
        is_staff=True,
        first_name="Demo",
        last_name="Coordinator",
        email="coordinator@example.invalid",
    )
    # The admin serves coordinators for setup only: countries, accounts and questionnaires,
    # never the answers themselves.
    admin_access_sync(coordinator)

    staff: dict[str, dict[str, User]] = {}
    for country in countries:
        staff[country.code] = {}
        for role in Membership.Role:
            user = _user(
                f"{country.code.lower()}.{role.value}",
                password_hash=password_hash,
                report=report,
                first_name=f"Demo {role.label}",
                last_name=country.name,
                email=f"{country.code.lower()}.{role.value}@example.invalid",
            )
            membership_grant(user=user, country=country, role=role.value)
            staff[country.code][role.value] = user

    if not round.is_accepting_answers:
        report.warnings.append(
            f"The round “{round}” does not accept answers (closed or past its deadline): "
            "accounts were created, responses were not."
        )
        return report

    fields = [f for q in questions_with_fields(round) for f in q.fields.all()]
    plan = demo_plan(round.questionnaire.key)
    country_codes = [c.code for c in Country.objects.all()]
    already = set(ResponseAuthor.objects.filter(round=round).values_list("country__code", flat=True))
    codes = [c.code for c in countries]
    joint = [c for c in countries if c.code in JOINT_GROUP] if set(JOINT_GROUP) <= set(codes) else []
    groups = ([joint] if joint else []) + [[c] for c in countries if c not in joint]

    for index, group in enumerate(groups):
        if any(c.code in already for c in group):
            continue
        lead = group[0]
        if index % 13 == 8:
            continue  # not started: the tracker and filters need some of these
        rng = random.Random(f"demo-{round.key}-{'-'.join(c.code for c in group)}")
        response = response_start(round=round, countries=group)
        report.responses_created += 1
        drafter = staff[lead.code]["drafter"]
        answers = _demo_answers(
            fields, rng, plan=plan, own_codes={c.code for c in group}, country_codes=country_codes
        )
        metadata = {
            "contact_name": f"Demo contact for {', '.join(c.name for c in group)} (fictional)",
            "ministry": "Ministry of Foreign Affairs (demo)",
            "email": f"{lead.code.lower()}.contact@example.invalid",
        }
        first_half = dict(list(answers.items())[: len(answers) // 2])
        first = response_save_draft(
            response=response, user=drafter, answers=first_half, base_version=0, metadata=metadata
        )
        response_save_draft(
            response=response,
            user=staff[group[-1].code]["drafter"],
            answers=answers,
            base_version=first.version.number,
            metadata=metadata,
        )
        if index % 9 == 5:
            report.drafts += 1
            continue
        approver = staff[group[-1].code]["approver"]
        response_submit(response=Response.objects.get(pk=response.pk), user=approver)
        report.submitted += 1
    return report


def _demo_answers(
    fields: list[Field], rng: random.Random, *, plan: DemoPlan, own_codes: set[str], country_codes: list[str]
) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    # Roughly a third of the demo governments offer no troops, so the views have contrast.
    stance = rng.choice(["yes", "yes_with_conditions", "yes_with_conditions", "undecided", "no"])
    for f in fields:
        if not field_is_shown(f, answers):
            continue
        options = list(f.taxonomy.options.all()) if f.taxonomy else []
        # Some governments decline to state a figure or a position, as real ones do.
        if f.non_answers and f.key not in plan.stance_fields and rng.random() < 0.06:
            answers[f.key] = {"declared": rng.choice(f.non_answers)}
            continue
        if f.key in plan.stance_fields:
            value: Any = "yes" if f.key == plan.takes_part_field and stance == "no" else stance
        elif f.field_type == Field.FieldType.CHOICE:
            value = rng.choice(options).key
        elif f.field_type == Field.FieldType.MULTI:
            plain = [o for o in options if not o.asks_for_text]
            chosen = rng.sample(plain, k=rng.randint(1, min(4, len(plain))))
            value = {"selected": [o.key for o in chosen], "other": ""}
            other = next((o for o in options if o.asks_for_text), None)
            if other and rng.random() < 0.15:
                value["selected"].append(other.key)
                value["other"] = "Illustrative demo entry (not a real position)"
        elif f.field_type in (Field.FieldType.INTEGER, Field.FieldType.MONTHS):
            number = rng.choice(plan.numbers.get(f.key, (f.min_value or 0, f.max_value or 0)))
            value = (
                {"value": number, "figure_kind": rng.choice(["official", "estimate"])}
                if f.field_type == Field.FieldType.INTEGER
                else number
            )
            if f.field_type == Field.FieldType.INTEGER and not f.has_figure_kind:
                value["figure_kind"] = None
        elif f.field_type == Field.FieldType.COUNTRIES:
            value = sorted(rng.sample([c for c in country_codes if c not in own_codes], k=rng.randint(2, 5)))
        else:
            if not f.required and rng.random() < 0.3:
                continue
            value = rng.choice(DEMO_TEXTS)
        answers[f.key] = value
    return answers
