"""Changes to countries, memberships and responses. Views, tasks, the admin and commands call
these; each validates before it writes."""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_record
from questionnaire.answers import answer_errors, field_is_shown, is_empty, missing_required
from questionnaire.models import Field, Option, Round
from responses import permissions
from responses.models import Country, Membership, Response, ResponseAuthor, ResponseVersion, ReturnRequest
from responses.selectors import response_for_country

COUNTRIES_FILE = Path(__file__).resolve().parent / "data" / "countries.yaml"


@transaction.atomic
def countries_load(*, path: Path = COUNTRIES_FILE) -> int:
    """Creates or updates the countries of the file; returns how many rows changed."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))["countries"]
    changed = 0
    for entry in entries:
        values = {
            "name": entry["name"],
            "is_eu_member": entry["eu"],
            "is_nato_member": entry["nato"],
            "is_european": entry["european"],
            "is_invitable": entry["invitable"],
        }
        country, created = Country.objects.get_or_create(code=entry["code"], defaults=values)
        if created:
            changed += 1
        elif any(getattr(country, k) != v for k, v in values.items()):
            Country.objects.filter(pk=country.pk).update(**values)
            changed += 1
    return changed


def membership_grant(*, user: User, country: Country, role: str) -> Membership:
    membership, _created = Membership.objects.update_or_create(
        user=user, country=country, defaults={"role": role}
    )
    return membership


@transaction.atomic
def response_start(*, round: Round, countries: Iterable[Country]) -> Response:
    """Opens the (empty) response of one country, or of several answering jointly."""
    countries = list(countries)
    if not countries:
        raise ValidationError(_("A response needs at least one author country."))
    taken = ResponseAuthor.objects.filter(round=round, country__in=countries)
    if taken.exists():
        names = ", ".join(sorted(link.country.name for link in taken.select_related("country")))
        raise ValidationError(_("Already answering in this round: %(names)s.") % {"names": names})
    response = Response.objects.create(round=round)
    ResponseAuthor.objects.bulk_create(
        ResponseAuthor(response=response, country=country, round=round) for country in countries
    )
    return response


def _fields_by_key(round: Round) -> dict[str, Field]:
    """The round's fields with what their conditions read, once per save."""
    fields = Field.objects.filter(questionnaire_id=round.questionnaire_id).select_related("show_when_field")
    return {f.key: f for f in fields}


def _answer_problems(round: Round, fields: dict[str, Field], answers: dict[str, Any]) -> dict[str, list[str]]:
    options: dict[int, set[str]] = {}
    for taxonomy_id, key in Option.objects.filter(
        taxonomy__questionnaire_id=round.questionnaire_id
    ).values_list("taxonomy_id", "key"):
        options.setdefault(taxonomy_id, set()).add(key)
    country_codes = set(Country.objects.values_list("code", flat=True))
    problems: dict[str, list[str]] = {}
    for key, value in answers.items():
        field = fields.get(key)
        if field is None:
            problems[key] = [_("This questionnaire has no such field.")]
        elif not is_empty(field, value):
            errors = answer_errors(
                field, value, option_keys=options.get(field.taxonomy_id, set()), country_codes=country_codes
            )
            if errors:
                problems[key] = errors
    return problems


def _hidden_keys(fields: dict[str, Field], answers: dict[str, Any]) -> list[str]:
    return [
        f.key for f in fields.values() if f.show_when_field_id is not None and not field_is_shown(f, answers)
    ]


@dataclass
class FieldConflict:
    key: str
    base: Any
    theirs: Any
    yours: Any


class EditConflict(Exception):
    """A save based on an older version touches fields that someone else changed meanwhile."""

    def __init__(
        self,
        *,
        conflicts: list[FieldConflict],
        current_version: ResponseVersion,
        changed_by_others: list[str] | None = None,
    ):
        self.conflicts = conflicts
        self.current_version = current_version
        # Every field someone else changed since the user's base, conflicting or not.
        self.changed_by_others = changed_by_others or []
        super().__init__(", ".join(c.key for c in conflicts))


@dataclass
class SaveResult:
    version: ResponseVersion
    created: bool
    # Fields someone else changed since the user's base version, kept as they are now.
    merged_from_others: list[str]


# Locking: the response row is locked on its own, and everything else (its current version, its
# round) is read after the lock is held. A join in the locking query would read the joined rows
# from before the wait, and two concurrent saves would both number their version N+1.


@transaction.atomic
def response_save_draft(
    *,
    response: Response,
    user: User,
    answers: dict[str, Any],
    base_version: int,
    metadata: dict[str, Any] | None = None,
) -> SaveResult:
    """Saves the answers a user edited (a whole response or one question's fields; an empty value
    clears a field) as a new draft version. Required fields are not enforced: a draft may be
    partial.

    `base_version` is the version number the user's page was built from. Changes that others made
    since then to other fields are kept; a field that both changed differently raises
    EditConflict, so nothing is overwritten silently.
    """
    response = Response.objects.select_for_update().get(pk=response.pk)
    _check_editable(response, user)
    current = response.current_version
    current_answers = current.answers if current else {}
    current_number = current.number if current else 0
    if base_version == current_number:
        base = current
    else:
        base = response.versions.filter(number=base_version).first() if base_version else None
        if base is None and base_version:
            raise ValidationError(
                _("This page is out of date. Reload it to continue; your text stays in it.")
            )
    base_answers = base.answers if base else {}

    mine = {key for key, value in answers.items() if not _same(_normal(value), base_answers.get(key))}
    theirs = {
        key
        for key in set(base_answers) | set(current_answers)
        if not _same(base_answers.get(key), current_answers.get(key))
    }
    conflicts = [
        FieldConflict(
            key=key, base=base_answers.get(key), theirs=current_answers.get(key), yours=_normal(answers[key])
        )
        for key in sorted(mine & theirs)
        if not _same(_normal(answers[key]), current_answers.get(key))
    ]
    merged = dict(current_answers)
    for key in mine:
        merged[key] = _normal(answers[key])
    merged = {key: value for key, value in merged.items() if value is not None}
    # A colleague's answer that the user's change would now hide (and so drop) is a conflict too.
    fields = _fields_by_key(response.round)
    hidden = set(_hidden_keys(fields, merged))
    conflicts += [
        FieldConflict(key=key, base=base_answers.get(key), theirs=current_answers[key], yours=None)
        for key in sorted((theirs - mine) & hidden)
        if current_answers.get(key) is not None
    ]
    if conflicts:
        raise EditConflict(conflicts=conflicts, current_version=current, changed_by_others=sorted(theirs))

    if problems := _answer_problems(response.round, fields, merged):
        raise ValidationError(problems)
    # Answers to fields that the other answers hide are dropped, so a stale condition text never
    # reaches an analyst.
    merged = {key: value for key, value in merged.items() if key not in hidden}
    new_metadata = metadata if metadata is not None else (current.metadata if current else {})
    if (
        metadata is not None
        and base is not None
        and current is not None
        and base.metadata != current.metadata
    ):
        raise ValidationError(
            _("A colleague changed these details meanwhile. Reload the page to see them before saving.")
        )
    if current is not None and _same(merged, current_answers) and new_metadata == current.metadata:
        return SaveResult(version=current, created=False, merged_from_others=[])
    version = _version_create(
        response=response, user=user, answers=merged, metadata=new_metadata, kind=ResponseVersion.Kind.DRAFT
    )
    audit_record(user=user, action=AuditEvent.Action.RESPONSE_SAVE, response=response, version=version)
    return SaveResult(version=version, created=True, merged_from_others=sorted(theirs - mine))


def _canonical(value: Any) -> Any:
    """An answer with its lists in a fixed order. The order of chosen options or countries
    carries no meaning, and the form posts them in another order than they may be stored in
    (taxonomy or name order against the order they were saved in)."""
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    if isinstance(value, list):
        return sorted((_canonical(item) for item in value), key=repr)
    return value


def _same(a: Any, b: Any) -> bool:
    """Equal as answers: the same choices in any order are the same answer, so re-posting a
    field one did not touch is never taken for a change (and never for a conflict)."""
    return _canonical(a) == _canonical(b)


def _normal(value: Any) -> Any:
    """Empty answers of any shape are stored as absent."""
    if value in ("", [], {}) or value is None:
        return None
    if isinstance(value, dict) and "selected" in value and not value["selected"]:
        return None
    if isinstance(value, dict) and "value" in value and value["value"] is None:
        return None
    return value


def _check_editable(response: Response, user: User) -> None:
    if not permissions.can_edit_response(user, response):
        raise PermissionDenied(_("You may not edit this response."))
    if not response.round.is_accepting_answers:
        raise ValidationError(_("This round is closed: answers can no longer be changed."))
    if response.status == Response.Status.SUBMITTED:
        raise ValidationError(
            _("A submitted response cannot be changed unless the coordinator returns it for revision.")
        )


@transaction.atomic
def response_submit(
    *, response: Response, user: User, reviewed_version: int | None = None
) -> ResponseVersion:
    """The approver submits the current draft on behalf of the government(s); it becomes an
    immutable version that analysts can see."""
    response = Response.objects.select_for_update().get(pk=response.pk)
    if not permissions.can_submit_response(user, response):
        raise PermissionDenied(_("Only an approver of an author country may submit this response."))
    if not response.round.is_accepting_answers:
        raise ValidationError(_("This round is closed: answers can no longer be submitted."))
    if response.status == Response.Status.SUBMITTED:
        raise ValidationError(_("This response is already submitted."))
    draft = response.current_version
    if draft is None:
        raise ValidationError(_("There is nothing to submit yet."))
    if reviewed_version is not None and reviewed_version != draft.number:
        raise ValidationError(
            _("The draft changed after you reviewed it (now version %(n)s). Read it again before submitting.")
            % {"n": draft.number}
        )
    if missing := response_missing_answers(response=response):
        raise ValidationError({f.key: [_("This answer is required for submission.")] for f in missing})
    version = _version_create(
        response=response,
        user=user,
        answers=draft.answers,
        metadata=draft.metadata,
        kind=ResponseVersion.Kind.SUBMISSION,
    )
    response.status = Response.Status.SUBMITTED
    response.submitted_version = version
    response.save(update_fields=["status", "submitted_version", "updated_at"])
    audit_record(user=user, action=AuditEvent.Action.RESPONSE_SUBMIT, response=response, version=version)
    return version


def response_missing_answers(*, response: Response) -> list[Field]:
    """Required answers the current draft still lacks (what blocks a submission)."""
    fields = Field.objects.filter(questionnaire_id=response.round.questionnaire_id).select_related(
        "show_when_field", "question"
    )
    answers = response.current_version.answers if response.current_version else {}
    return missing_required(fields, answers)


@transaction.atomic
def response_return(
    *, response: Response, user: User, comment: str, question_comments: dict[str, str]
) -> ReturnRequest:
    """The coordinator returns a submission for revision; the submitted version stays in the
    history and the country edits a new draft from it."""
    response = Response.objects.select_for_update().get(pk=response.pk)
    if not permissions.can_return_response(user, response):
        raise PermissionDenied(_("Only a coordinator may return a submitted response."))
    if not response.round.is_accepting_answers:
        raise ValidationError(_("This round is closed: a response can no longer be returned."))
    if not comment.strip():
        raise ValidationError({"comment": [_("Say why the response is returned.")]})
    returned = ReturnRequest.objects.create(
        response=response,
        returned_version=response.submitted_version,
        returned_by=user,
        comment=comment.strip(),
        question_comments={k: v.strip() for k, v in question_comments.items() if v and v.strip()},
    )
    response.status = Response.Status.RETURNED
    response.save(update_fields=["status", "updated_at"])
    audit_record(
        user=user,
        action=AuditEvent.Action.RESPONSE_RETURN,
        response=response,
        version=response.submitted_version,
    )
    return returned


@transaction.atomic
def response_open_for_country(*, round: Round, country: Country, user: User) -> Response:
    """The response a country's editor works on in a round, started on first use."""
    existing = response_for_country(round=round, country=country)
    if existing is not None:
        return existing
    if not permissions.can_start_response_for(user, country):
        raise PermissionDenied(_("Only a drafter or approver of the country may start its response."))
    if not round.is_accepting_answers:
        raise ValidationError(_("This round is closed: no new response can be started."))
    response = response_start(round=round, countries=[country])
    audit_record(user=user, action=AuditEvent.Action.RESPONSE_START, response=response)
    return response


def _version_create(
    *, response: Response, user: User, answers: dict[str, Any], metadata: dict[str, Any] | None, kind: str
) -> ResponseVersion:
    """Appends a version. `answers` are final: the draft save already dropped hidden ones, and a
    submission copies a saved draft."""
    previous = response.current_version
    previous_answers = previous.answers if previous else {}
    changed = sorted(
        key for key in set(previous_answers) | set(answers) if previous_answers.get(key) != answers.get(key)
    )
    version = ResponseVersion.objects.create(
        response=response,
        number=(previous.number + 1) if previous else 1,
        kind=kind,
        answers=answers,
        metadata=metadata if metadata is not None else (previous.metadata if previous else {}),
        changed_fields=changed,
        created_by=user,
    )
    response.current_version = version
    if response.status == Response.Status.RETURNED:
        response.status = Response.Status.DRAFT
    response.save(update_fields=["current_version", "status", "updated_at"])
    return version
