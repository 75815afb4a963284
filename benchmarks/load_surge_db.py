"""The database side of the deadline-surge load test (`benchmarks/load_surge.sh`).

    python benchmarks/load_surge_db.py setup --plan PLAN.json [--staff 250 --analysts 20 --countries 50]
    python benchmarks/load_surge_db.py check --plan PLAN.json --log SAVES.jsonl

`setup` runs after `manage.py seed_demo --countries 50` on the throwaway load database. It opens a
draft for every seeded country (a submitted response is returned for revision by the coordinator,
so analysts still compare its submitted version while staff edit the new draft), creates the load
test accounts through the project's services and writes the plan the locust file follows: which
user edits which free-text field of which response. Staff of one response edit different fields
where the questionnaire has enough (three of them on question 1, so their saves merge on one page);
a response with more staff than fields (the joint Estonia-Latvia-Lithuania response) has two staff
on some fields, whose saves meet as conflicts.

`check` reads what the server acknowledged during the run and compares it with the versions in the
database; it prints whether any save was lost and exits 1 if one was.
"""

import argparse
import json
import os
import sys
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django

django.setup()

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from questionnaire.models import Field, Round
from questionnaire.selectors import round_current
from coordination.demo import seedable_countries
from questionnaire.structure import questionnaire_structure
from responses.models import EditingSession, Membership, Response, ResponseAuthor, ResponseVersion
from responses.versioning import answers_delta, is_snapshot_number
from responses.selectors import versions_replayed
from responses.services import (
    membership_grant,
    response_open_for_country,
    response_return,
    response_save_draft,
)

# The free-text fields staff type into, in the order they are handed out within one response:
# three on question 1 (so saves from one page merge), then one per other question. The two
# condition texts show only while their controlling answer is "yes, with conditions"; setup sets
# both controllers once, and nobody changes them during the run.
SLOTS = (
    "q1_comments",
    "q1_troop_conditions",
    "q2_comments",
    "q3_comments",
    "q1_participate_conditions",
    "q4_comments",
    "q5_comments",
    "q6_comments",
)
CONTROLLERS = {"q1_participate": "yes_with_conditions", "q1_send_troops": "yes_with_conditions"}


def _prefill(response: Response, saves: int) -> None:
    """`saves` earlier saves of a long comment, stored as the save service stores them (a delta
    each, a snapshot every SNAPSHOT_EVERY, one editing session per 40 saves), written in bulk:
    making 5,000 saves per draft through HTTP would take longer than the surge itself."""
    drafter = User.objects.get(username=f"{response.authors.order_by('code').first().code.lower()}.drafter")
    structure = questionnaire_structure(response.round.questionnaire_id)
    key = "q6_comments"
    answers, metadata, number = dict(response.answers), dict(response.metadata), response.current_number
    versions, sessions = [], []
    for n in range(saves):
        number += 1
        before = dict(answers)
        answers[key] = (answers.get(key, "") + f" earlier wording {n}")[-1200:].strip()
        snapshot = is_snapshot_number(number)
        versions.append(
            ResponseVersion(
                response=response,
                number=number,
                kind=ResponseVersion.Kind.DRAFT,
                is_snapshot=snapshot,
                answers=dict(answers) if snapshot else {},
                metadata=metadata if snapshot else {},
                changes=None
                if snapshot
                else answers_delta(before, answers, metadata_before=metadata, metadata_after=metadata),
                changed_fields=[key],
                created_by=drafter,
            )
        )
        if n % 40 == 0:
            sessions.append(
                EditingSession(
                    response=response,
                    user=drafter,
                    first_number=number,
                    last_number=min(number + 39, response.current_number + saves),
                    started_at=timezone.now(),
                    ended_at=timezone.now(),
                    save_count=min(40, saves - n),
                    changed_fields={key: True},
                )
            )
    ResponseVersion.objects.bulk_create(versions, batch_size=1000)
    EditingSession.objects.bulk_create(sessions, batch_size=1000)
    last = ResponseVersion.objects.get(response=response, number=number)
    changes = dict(response.last_change_by_question)
    changes[str(structure.question_number_of_field[key])] = last.pk
    Response.objects.filter(pk=response.pk).update(
        answers=answers,
        current_number=number,
        current_version=last,
        editing_session=EditingSession.objects.filter(response=response).order_by("-first_number").first(),
        last_saved_by=drafter,
        last_change_by_question=changes,
    )


def setup(args: argparse.Namespace) -> None:
    round_ = round_current()
    if round_ is None:
        sys.exit("no round: run load_questionnaire first")
    coordinator = User.objects.get(username="coordinator")
    if not round_.is_accepting_answers:
        from coordination.services import round_update

        round_update(
            round=round_,
            user=coordinator,
            status=Round.Status.OPEN,
            deadline=timezone.now() + timedelta(days=2),
            handling_marking=round_.handling_marking,
        )
        print(f"round {round_} reopened with a deadline in two days")
    countries = seedable_countries()[: args.countries]
    password_hash = make_password(args.password)

    with transaction.atomic():
        responses: dict[int, Response] = {}
        for country in countries:
            drafter = User.objects.get(username=f"{country.code.lower()}.drafter")
            response = response_open_for_country(round=round_, country=country, user=drafter)
            responses[response.pk] = response
        returned = 0
        for response in responses.values():
            response = Response.objects.get(pk=response.pk)
            if response.status == Response.Status.SUBMITTED:
                response_return(
                    response=response,
                    user=coordinator,
                    comment="Load test: returned for revision before the deadline.",
                    question_comments={},
                )
                returned += 1
            lead = response.authors.order_by("code").first()
            drafter = User.objects.get(username=f"{lead.code.lower()}.drafter")
            response = Response.objects.get(pk=response.pk)
            response_save_draft(
                response=response,
                user=drafter,
                answers=dict(CONTROLLERS),
                base_version=response.current_number,
            )

        staff_by_response: dict[int, list[dict[str, Any]]] = defaultdict(list)
        author_of = {
            link.country_id: link.response_id
            for link in ResponseAuthor.objects.filter(round=round_, response_id__in=responses)
        }
        staff = []
        for index in range(args.staff):
            country = countries[index % len(countries)]
            number = index // len(countries) + 1
            role = Membership.Role.APPROVER if number == 1 else Membership.Role.DRAFTER
            user = _user(f"load.{country.code.lower()}.{number}", password_hash, first_name=f"Load {number}")
            membership_grant(user=user, country=country, role=role)
            entry = {"username": user.username, "country": country.code, "response": author_of[country.pk]}
            staff_by_response[entry["response"]].append(entry)
            staff.append(entry)
        fields = {f.key: f for f in Field.objects.filter(questionnaire_id=round_.questionnaire_id)}
        for entries in staff_by_response.values():
            for slot, entry in enumerate(entries):
                key = SLOTS[slot % len(SLOTS)]
                entry["field"] = key
                entry["question"] = fields[key].question.number
        analysts = [
            _user(f"load.analyst.{n:02d}", password_hash, global_role=User.GlobalRole.ANALYST).username
            for n in range(1, args.analysts + 1)
        ]

    if args.prefill_saves:
        for pk in staff_by_response:
            _prefill(Response.objects.select_related("round").get(pk=pk), args.prefill_saves)
        print(f"every draft now holds {args.prefill_saves} more saves")
    start_versions = {str(pk): Response.objects.get(pk=pk).current_number for pk in staff_by_response}
    writers: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for entry in staff:
        writers[str(entry["response"])][entry["field"]].append(entry["username"])
    shared = sum(1 for fields_ in writers.values() for names in fields_.values() if len(names) > 1)
    plan = {
        "round": round_.pk,
        "staff": staff,
        "analysts": analysts,
        "start_versions": start_versions,
        "writers": writers,
    }
    Path(args.plan).write_text(json.dumps(plan, indent=1), encoding="utf-8")
    submitted = Response.objects.filter(round=round_, submitted_version__isnull=False).count()
    print(
        f"load plan: {len(staff)} staff over {len(countries)} countries and {len(staff_by_response)} drafts "
        f"({returned} returned for revision; {submitted} submitted versions for the analysts to compare), "
        f"{len(analysts)} analysts; {shared} field(s) written by two staff (their saves can conflict)"
    )


def _user(username: str, password_hash: str, **values: Any) -> User:
    user, _created = User.objects.update_or_create(
        username=username,
        defaults={
            "password": password_hash,
            "email": f"{username}@example.invalid",
            "is_active": True,
            **values,
        },
    )
    return user


# -- the lost-save check ------------------------------------------------------------------------------


def check(args: argparse.Namespace) -> int:
    plan = json.loads(Path(args.plan).read_text(encoding="utf-8"))
    events = [json.loads(line) for line in Path(args.log).read_text(encoding="utf-8").splitlines() if line]
    acks = [e for e in events if e["status"] in ("saved", "merged")]
    owner_fields: dict[tuple[int, str], set[str]] = defaultdict(set)
    for entry in plan["staff"]:
        owner_fields[(entry["response"], entry["username"])].add(entry["field"])
    writers = {
        (int(pk), key): set(names)
        for pk, fields_ in plan["writers"].items()
        for key, names in fields_.items()
    }
    field_of = {e["username"]: e["field"] for e in plan["staff"]}
    response_ids = sorted({e["response"] for e in plan["staff"]})
    versions: dict[int, dict[int, ResponseVersion]] = defaultdict(dict)
    # Draft versions store deltas: rebuild each in full, in order.
    for pk in response_ids:
        for v in versions_replayed(Response(pk=pk)):
            versions[pk][v.number] = v
    problems: list[str] = []

    # 1. Every acknowledged save is in the version the reply named, by that user.
    missing = 0
    for ack in acks:
        version = versions[ack["response"]].get(ack["version"])
        held = version.answers.get(ack["field"]) if version else None
        if held != ack["value"]:
            missing += 1
            problems.append(
                f"ack not in its version: {ack['user']} {ack['field']}={ack['value']!r} reported as "
                f"v{ack['version']} of response {ack['response']}, which holds {held!r}"
            )
        elif ack.get("created") and version.created_by.username != ack["user"]:
            missing += 1
            problems.append(
                f"v{ack['version']} of response {ack['response']} is by {version.created_by.username}, "
                f"but {ack['user']} was told it created it"
            )

    # 2. Versions made during the run: numbered without gaps, and each changes only fields its author
    #    writes (a save that rewrote a colleague's field would be a lost update).
    run_versions = 0
    reorders: dict[str, int] = defaultdict(int)
    for pk in response_ids:
        numbers = sorted(versions[pk])
        if numbers != list(range(1, len(numbers) + 1)):
            problems.append(f"response {pk}: version numbers are not 1..{len(numbers)}: {numbers}")
        start = plan["start_versions"][str(pk)]
        for number in numbers:
            if number <= start:
                continue
            run_versions += 1
            version, previous = versions[pk][number], versions[pk][number - 1]
            changed = {
                key
                for key in set(version.answers) | set(previous.answers)
                if version.answers.get(key) != previous.answers.get(key)
            }
            outside = changed - owner_fields[(pk, version.created_by.username)]
            reordered = {k for k in outside if _same(version.answers.get(k), previous.answers.get(k))}
            for key in reordered:
                reorders[key] += 1
            if outside - reordered:
                problems.append(
                    f"response {pk} v{number} by {version.created_by.username} changed fields it does not "
                    f"write: {sorted(outside - reordered)}"
                )

    # 3. Three-way merge: an acknowledged save may replace only the value its page was based on. If
    #    the field changed between its base and the version before it, the save should have been a
    #    conflict; writing over it silently loses the colleague's save.
    silent_overwrites = 0
    for ack in acks:
        if not ack.get("created"):
            continue
        history = versions[ack["response"]]
        previous = history.get(ack["version"] - 1)
        base = history.get(ack["base"])
        before = previous.answers.get(ack["field"]) if previous else None
        based_on = base.answers.get(ack["field"]) if base else None
        if before != based_on and before != ack["value"]:
            silent_overwrites += 1
            problems.append(
                f"{ack['user']} saved {ack['field']} as v{ack['version']} of response {ack['response']} from "
                f"base v{ack['base']} ({based_on!r}) over a newer value {before!r} without a conflict"
            )

    # 4. The brief's own words: the last value each user got a success reply for is what the database
    #    holds now, unless the same user saved again later (a reply lost to a time-out or to the end of
    #    the run) or a colleague on the same field overwrote it after seeing it (a conflict and reload).
    last_ack: dict[str, dict[str, Any]] = {}
    for ack in acks:
        if ack["user"] not in last_ack or ack["version"] >= last_ack[ack["user"]]["version"]:
            last_ack[ack["user"]] = ack
    held_now = later_own = by_colleague = lost = 0
    for user, ack in last_ack.items():
        history = versions[ack["response"]]
        final = history[max(history)].answers.get(ack["field"])
        if final == ack["value"]:
            held_now += 1
            continue
        # Who last changed this field, and when?
        setter = next(
            (
                history[n]
                for n in sorted(history, reverse=True)
                if n > 1 and history[n].answers.get(ack["field"]) != history[n - 1].answers.get(ack["field"])
            ),
            None,
        )
        if setter is not None and setter.number > ack["version"]:
            if setter.created_by.username == user:
                later_own += 1
                continue
            if setter.created_by.username in writers[(ack["response"], field_of[user])]:
                by_colleague += 1
                continue
        lost += 1
        problems.append(
            f"{user}: last acknowledged {ack['field']}={ack['value']!r} (v{ack['version']}) is not in "
            f"response {ack['response']} now ({final!r})"
        )

    statuses: dict[str, int] = defaultdict(int)
    for event in events:
        statuses[event["status"]] += 1
    users_with_acks = len(last_ack)
    print("lost-save check (database against the replies the server sent):")
    print(
        "  autosave replies: "
        + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
        + f"; {run_versions} versions written during the run"
    )
    print(f"  1. acknowledged saves found in the version the reply named: {len(acks) - missing}/{len(acks)}")
    foreign = _count(problems, "does not write")
    print(f"  2. versions that changed a field their author does not write: {foreign}")
    if reorders:
        print(
            "     (not counted: saves that rewrote a field their author did not touch with the same choices "
            "in another order, " + ", ".join(f"{key} x{n}" for key, n in sorted(reorders.items())) + ")"
        )
    print(f"  3. acknowledged saves that overwrote a newer value without a conflict: {silent_overwrites}")
    print(
        f"  4. users whose last acknowledged value is in the final draft: {held_now}/{users_with_acks}; "
        f"replaced by their own later save: {later_own}; by the co-writer of their field after a "
        f"conflict: {by_colleague}; lost: {lost}"
    )
    if problems:
        print(f"LOST SAVES OR INCONSISTENCIES: {len(problems)}")
        for line in problems[:40]:
            print("  - " + line)
        return 1
    if not acks:
        print("NO SAVE WAS ACKNOWLEDGED: nothing to check")
        return 1
    print("no save lost")
    return 0


def _same(a: Any, b: Any) -> bool:
    """Equal up to the order of a list of choices (a multiple choice's options, a list of countries)."""

    def canonical(value: Any) -> Any:
        if isinstance(value, list):
            return sorted(value, key=str)
        if isinstance(value, dict) and isinstance(value.get("selected"), list):
            return {**value, "selected": sorted(value["selected"], key=str)}
        return value

    return canonical(a) == canonical(b)


def _count(problems: list[str], marker: str) -> int:
    return sum(1 for p in problems if marker in p)


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p_setup = sub.add_parser("setup")
    p_setup.add_argument("--plan", required=True)
    p_setup.add_argument("--staff", type=int, default=250)
    p_setup.add_argument("--analysts", type=int, default=20)
    p_setup.add_argument("--countries", type=int, default=50)
    p_setup.add_argument("--password", default=os.environ.get("LOAD_PASSWORD", "allied-load-2026"))
    p_setup.add_argument("--prefill-saves", type=int, default=int(os.environ.get("LOAD_PREFILL_SAVES", "0")))
    p_check = sub.add_parser("check")
    p_check.add_argument("--plan", required=True)
    p_check.add_argument("--log", required=True)
    args = parser.parse_args()
    if args.command == "setup":
        setup(args)
    else:
        sys.exit(check(args))


if __name__ == "__main__":
    main()
