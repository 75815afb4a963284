"""Changes to countries, memberships and responses. Views, tasks, the admin and commands call
these; each validates before it writes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import yaml
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record
from core.db import JSONObjectMerge
from questionnaire.answers import answer_errors, field_is_shown, is_empty, missing_required
from questionnaire.definition import LANGUAGE_CODES
from questionnaire.models import Field, Round
from questionnaire.structure import QuestionnaireStructure, questionnaire_structure
from responses import permissions
from responses.display import TEXT_LANGUAGES
from responses.models import (
    Country,
    EditingSession,
    Membership,
    Response,
    ResponseAuthor,
    ResponseVersion,
    ReturnRequest,
)
from responses.selectors import countries_by_name, response_for_country, version_rebuilt
from responses.versioning import answers_delta, is_snapshot_number

if TYPE_CHECKING:  # accounts is above responses (DESIGN.md section 6): type hints only
    from accounts.models import User

COUNTRIES_FILE = Path(__file__).resolve().parent / "data" / "countries.yaml"


@transaction.atomic
def countries_load(*, path: Path = COUNTRIES_FILE) -> int:
    """Creates or updates the countries of the file; returns how many rows changed."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))["countries"]
    changed = 0
    for entry in entries:
        names = entry["name"] if isinstance(entry["name"], dict) else {"en": entry["name"]}
        values = {
            **{f"name_{code}": names.get(code, "") for code in LANGUAGE_CODES},
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


def _answer_problems(structure: QuestionnaireStructure, answers: dict[str, Any]) -> dict[str, list[str]]:
    country_codes = {c.code for c in countries_by_name()}
    problems: dict[str, list[str]] = {}
    for key, value in answers.items():
        field = structure.fields_by_key.get(key)
        if field is None:
            problems[key] = [_("This questionnaire has no such field.")]
        elif not is_empty(field, value):
            errors = answer_errors(
                field,
                value,
                option_keys=structure.option_keys.get(field.taxonomy_id, frozenset()),
                country_codes=country_codes,
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
        # The newest version, with `answers` in full.
        self.current_version = current_version
        # Every field someone else changed since the user's base, conflicting or not.
        self.changed_by_others = changed_by_others or []
        super().__init__(", ".join(c.key for c in conflicts))


class ResponseNotVisible(PermissionDenied):
    """The user may not even see the response (a view answers 404, as for one that does not
    exist)."""


class ResponseNotEditable(ValidationError):
    """The round is closed or the response submitted: nothing can be saved now."""


@dataclass
class SaveResult:
    version: ResponseVersion
    created: bool
    # Fields someone else changed since the user's base version, kept as they are now.
    merged_from_others: list[str]
    # The response's answers after the save, in full.
    answers: dict[str, Any] = dataclass_field(default_factory=dict)


# Locking: the response row is locked on its own, and everything else is read after the lock is
# held. A join in the locking query would read the joined rows from before the wait, and two
# concurrent saves would both number their version N+1. The row itself carries what a save
# needs (current answers, version number, open editing session), so the lock is the only read.

AnswersSource = dict[str, Any] | Callable[[Response], dict[str, Any]]


def _locked_for_edit(response: Response | int, user: User) -> Response:
    """The response row, locked, with its round and the user's roles on it, in one query;
    refuses with ResponseNotVisible (someone who may not see it), PermissionDenied (a reader) or
    ResponseNotEditable (closed round, submitted response).

    Written in SQL: this read is on every autosave, and the ORM took 4 ms to build and compile
    it against 1 ms to run it."""
    pk = response if isinstance(response, int) else response.pk
    quote = connection.ops.quote_name
    table, round_table = quote(Response._meta.db_table), quote(Round._meta.db_table)
    # Concrete fields and primary keys have columns (the stubs type Field.column as optional).
    round_columns = [cast(str, field.column) for field in Round._meta.concrete_fields]
    role_sql, role_params = permissions.strongest_role_sql(user)
    # Only the response row is locked: locking the round too would queue every save of it.
    # Without row locks (SQLite), the IMMEDIATE transaction holds the whole database.
    if connection.features.has_select_for_update_of:
        lock = f" FOR UPDATE OF {table}"
    elif connection.features.has_select_for_update:
        lock = " FOR UPDATE"
    else:
        lock = ""
    sql = (
        f"SELECT {table}.*, "  # noqa: S608 (names from the models, values as parameters)
        + "".join(f"{round_table}.{quote(c)} AS {quote('round__' + c)}, " for c in round_columns)
        + f"({role_sql}) AS {permissions.STRONGEST_ROLE} FROM {table} "
        f"JOIN {round_table} ON {round_table}.{quote(cast(str, Round._meta.pk.column))} = "
        f"{table}.{quote(Response._meta.get_field('round').column)} "
        f"WHERE {table}.{quote(cast(str, Response._meta.pk.column))} = %s{lock}"
    )
    locked = next(iter(Response.objects.raw(sql, [*role_params, pk])), None)
    if locked is not None:
        locked.round = _round_from_columns(locked, round_table)
        permissions.remember_roles(locked, user)
    # Members have a role; anyone else is refused, as not there if they may not see it.
    no_role = locked is None or not permissions.roles_on(user, locked)
    if no_role and not permissions.responses_visible_to(user).filter(pk=pk).exists():
        raise ResponseNotVisible(_("You may not edit this response."))
    # A missing row is not visible either (refused just above): there is one from here on.
    locked = cast(Response, locked)
    _check_editable(locked, user)
    return locked


def _round_from_columns(response: Response, round_table: str) -> Round:
    """The Round whose columns a raw query read onto `response` as `round__<column>`, converted as
    the ORM converts them (a raw query converts its model's own columns only; SQLite returns
    dates as text)."""
    attnames, values = [], []
    for field in Round._meta.concrete_fields:
        value = response.__dict__.pop("round__" + cast(str, field.column))  # a concrete field's
        column = field.get_col(round_table)
        for converter in connection.ops.get_db_converters(column) + field.get_db_converters(connection):
            value = converter(value, column, connection)
        attnames.append(field.attname)
        values.append(value)
    return Round.from_db(connection.alias, attnames, values)


@transaction.atomic
def response_save_draft(
    *,
    response: Response | int,
    user: User,
    answers: AnswersSource,
    base_version: int,
    metadata: dict[str, Any] | None = None,
) -> SaveResult:
    """Saves the answers a user edited (a whole response or one question's fields; an empty value
    clears a field) as a new draft version. Required fields are not enforced: a draft may be
    partial.

    `base_version` is the version number the user's page was built from. Changes that others made
    since then to other fields are kept; a field that both changed differently raises
    EditConflict, so nothing is overwritten silently.

    `answers` may also be a function of the locked response that returns them (the autosave's
    form, whose conditions read other questions' answers as they are now, not as a read before
    the lock saw them). A response the user may not see raises ResponseNotVisible.
    """
    response = _locked_for_edit(response, user)
    if callable(answers):
        answers = answers(response)
    current_answers = response.answers
    current_number = response.current_number
    if base_version == current_number:
        base_answers, base_metadata = current_answers, response.metadata
    elif 0 < base_version < current_number:
        base = version_rebuilt(response, base_version)
        if base is None:
            raise ValidationError(
                _("This page is out of date. Reload it to continue; your text stays in it.")
            )
        base_answers, base_metadata = base.answers, base.metadata
    elif base_version == 0:
        base_answers, base_metadata = {}, {}
    else:
        raise ValidationError(_("This page is out of date. Reload it to continue; your text stays in it."))

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
    structure = questionnaire_structure(response.round.questionnaire_id)
    hidden = set(_hidden_keys(structure.fields_by_key, merged))
    conflicts += [
        FieldConflict(key=key, base=base_answers.get(key), theirs=current_answers[key], yours=None)
        for key in sorted((theirs - mine) & hidden)
        if current_answers.get(key) is not None
    ]
    if conflicts:
        raise EditConflict(
            conflicts=conflicts, current_version=_current_version(response), changed_by_others=sorted(theirs)
        )

    if problems := _answer_problems(structure, merged):
        raise ValidationError(problems)
    # Answers to fields that the other answers hide are dropped, so a stale condition text never
    # reaches an analyst.
    merged = {key: value for key, value in merged.items() if key not in hidden}
    if metadata is not None and current_number and _details(base_metadata) != _details(response.metadata):
        raise ValidationError(
            _("A colleague changed these details meanwhile. Reload the page to see them before saving.")
        )
    new_metadata = _with_text_languages(
        metadata if metadata is not None else response.metadata,
        kept={k: v for k, v in response.metadata.get(TEXT_LANGUAGES, {}).items() if k in merged},
        typed=[
            key
            for key in mine
            # Text typed: a declaration in a text field is not in any language.
            if isinstance(merged.get(key), str)
            and structure.fields_by_key[key].field_type == Field.FieldType.TEXT
        ],
    )
    if current_number and _same(merged, current_answers) and new_metadata == response.metadata:
        return SaveResult(
            version=_current_version(response), created=False, merged_from_others=[], answers=current_answers
        )
    version = _version_create(
        response=response,
        user=user,
        answers=merged,
        metadata=new_metadata,
        kind=ResponseVersion.Kind.DRAFT,
        structure=structure,
    )
    return SaveResult(version=version, created=True, merged_from_others=sorted(theirs - mine), answers=merged)


def _details(metadata: dict[str, Any]) -> dict[str, Any]:
    """The response's details as people edit them (contact point, approval...), without what the
    saves record by themselves."""
    return {key: value for key, value in metadata.items() if key != TEXT_LANGUAGES}


def _with_text_languages(
    metadata: dict[str, Any], *, kept: dict[str, str], typed: list[str]
) -> dict[str, Any]:
    languages = {**kept, **dict.fromkeys(typed, translation.get_language() or settings.LANGUAGE_CODE)}
    if not languages:
        return _details(metadata)
    return {**_details(metadata), TEXT_LANGUAGES: languages}


def _current_version(response: Response) -> ResponseVersion:
    """The newest version with its answers in full (they are on the response row)."""
    version = ResponseVersion.objects.select_related("created_by").get(
        response_id=response.pk, number=response.current_number
    )
    version.answers, version.metadata = response.answers, response.metadata
    return version


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
    if (reason := permissions.answers_fixed_reason(response)) is not None:
        raise ResponseNotEditable(reason)


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
    if not response.current_number:
        raise ValidationError(_("There is nothing to submit yet."))
    if reviewed_version is not None and reviewed_version != response.current_number:
        raise ValidationError(
            _("The draft changed after you reviewed it (now version %(n)s). Read it again before submitting.")
            % {"n": response.current_number}
        )
    if missing := response_missing_answers(response=response):
        raise ValidationError({f.key: [_("This answer is required for submission.")] for f in missing})
    version = _version_create(
        response=response,
        user=user,
        answers=response.answers,
        metadata=response.metadata,
        kind=ResponseVersion.Kind.SUBMISSION,
    )
    response.status = Response.Status.SUBMITTED
    response.submitted_version = version
    response.save(update_fields=["status", "submitted_version", "updated_at"])
    audit_record(user=user, action=AuditEvent.Action.RESPONSE_SUBMIT, response=response, version=version)
    return version


def response_missing_answers(*, response: Response) -> list[Field]:
    """Required answers the current draft still lacks (what blocks a submission)."""
    structure = questionnaire_structure(response.round.questionnaire_id)
    return missing_required(list(structure.fields_by_key.values()), response.answers)


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
        # Only a submitted response may be returned (can_return_response): it has its version.
        returned_version=cast(ResponseVersion, response.submitted_version),
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


# A person's saves with less than this between them are one editing session in the history.
EDITING_SESSION_GAP = timedelta(minutes=30)


def _version_create(
    *,
    response: Response,
    user: User,
    answers: dict[str, Any],
    metadata: dict[str, Any],
    kind: str,
    structure: QuestionnaireStructure | None = None,
    restored_from: int | None = None,
) -> ResponseVersion:
    """Appends a version to a locked response. `answers` are final: the draft save already
    dropped hidden ones, and a submission copies the current draft.

    Four writes whatever the history: the version (a delta, or a snapshot where
    responses/versioning.py says), the editing session (extended, or a new one), the response
    row (current answers, number, session, who last changed each question)."""
    structure = structure or questionnaire_structure(response.round.questionnaire_id)
    previous_answers, previous_metadata = response.answers, response.metadata
    number = response.current_number + 1
    changed = sorted(
        key for key in set(previous_answers) | set(answers) if previous_answers.get(key) != answers.get(key)
    )
    snapshot = kind == ResponseVersion.Kind.SUBMISSION or is_snapshot_number(number)
    version = ResponseVersion.objects.create(
        response=response,
        number=number,
        kind=kind,
        is_snapshot=snapshot,
        answers=answers if snapshot else {},
        metadata=metadata if snapshot else {},
        changes=None
        if snapshot
        else answers_delta(
            previous_answers, answers, metadata_before=previous_metadata, metadata_after=metadata
        ),
        changed_fields=changed,
        created_by=user,
    )
    # The caller gets the version with its answers in full, as every reader of versions does.
    version.answers, version.metadata = answers, metadata
    now = version.created_at
    if kind == ResponseVersion.Kind.SUBMISSION:
        session_kind = EditingSession.Kind.SUBMISSION
    elif restored_from is not None:
        session_kind = EditingSession.Kind.RESTORE
    else:
        session_kind = EditingSession.Kind.EDITING
    # Only the same person's next save within the gap can continue the open session: anything
    # else starts a new one without trying (one write either way).
    extended = (
        session_kind == EditingSession.Kind.EDITING
        and response.editing_session_id is not None
        and response.last_saved_by_id == user.pk
        and response.updated_at >= now - EDITING_SESSION_GAP
        and EditingSession.objects.filter(
            pk=response.editing_session_id,
            user=user,
            kind=EditingSession.Kind.EDITING,
            last_number=number - 1,
            ended_at__gte=now - EDITING_SESSION_GAP,
        ).update(
            last_number=number,
            ended_at=now,
            save_count=F("save_count") + 1,
            changed_fields=JSONObjectMerge("changed_fields", dict.fromkeys(changed, True)),
        )
    )
    if not extended:
        session = EditingSession.objects.create(
            response=response,
            user=user,
            kind=session_kind,
            first_number=number,
            last_number=number,
            started_at=now,
            ended_at=now,
            changed_fields=dict.fromkeys(changed, True),
            restored_from=restored_from,
        )
        response.editing_session = session
    for key in changed:
        question_number = structure.question_number_of_field.get(key)
        if question_number is not None:
            response.last_change_by_question[str(question_number)] = version.pk
    response.current_version = version
    response.current_number = number
    response.last_saved_by = user
    response.answers, response.metadata = answers, metadata
    if response.status == Response.Status.RETURNED:
        response.status = Response.Status.DRAFT
    response.save(
        update_fields=[
            "current_version",
            "current_number",
            "answers",
            "metadata",
            "editing_session",
            "last_saved_by",
            "last_change_by_question",
            "status",
            "updated_at",
        ]
    )
    return version


@transaction.atomic
def response_restore_version(*, response: Response | int, user: User, number: int) -> ResponseVersion:
    """Brings back the answers and details of an earlier version as a new version (nothing in
    between is lost: it stays in the history). Audited."""
    response = _locked_for_edit(response, user)
    if not 0 < number < response.current_number:
        raise ValidationError(_("Only an earlier version can be restored."))
    earlier = version_rebuilt(response, number)
    if earlier is None:
        raise ValidationError(_("There is no version %(n)s.") % {"n": number})
    structure = questionnaire_structure(response.round.questionnaire_id)
    # Options may have been withdrawn since: say which answers can no longer be brought back.
    if problems := _answer_problems(structure, earlier.answers):
        raise ValidationError(problems)
    hidden = set(_hidden_keys(structure.fields_by_key, earlier.answers))
    answers = {k: v for k, v in earlier.answers.items() if k not in hidden}
    if _same(answers, response.answers) and earlier.metadata == response.metadata:
        raise ValidationError(
            _("Version %(n)s holds the same answers as now: nothing to restore.") % {"n": number}
        )
    version = _version_create(
        response=response,
        user=user,
        answers=answers,
        metadata=earlier.metadata,
        kind=ResponseVersion.Kind.DRAFT,
        structure=structure,
        restored_from=number,
    )
    audit_record(
        user=user,
        action=AuditEvent.Action.RESPONSE_RESTORE,
        response=response,
        version=version,
        restored_from=number,
    )
    return version
