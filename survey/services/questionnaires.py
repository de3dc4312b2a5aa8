"""Load questionnaire files into versioned rows; answered versions are never changed.

Rows store a definition as JSON; readers get the typed ``Definition``, parsed once per checksum
(a definition never changes under its checksum) and kept for the process.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import bindparam, exists, select

from survey.extensions import db
from survey.models import Questionnaire, QuestionnaireVersion, Response, User
from survey.rules import questionnaire_spec
from survey.rules.questionnaire_spec import Definition
from survey.services import audit

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "questionnaires"
BUILTIN_CODES = ("quick", "sipas", "decree61")


@dataclass(frozen=True)
class LoadResult:
    code: str
    version: int
    outcome: str  # "created", "unchanged", "updated" (no answers yet) or "new-version"


def _has_answers(version: QuestionnaireVersion) -> bool:
    return bool(db.session.scalar(
        select(exists().where(Response.questionnaire_version_id == version.id))
    ))


def load_definition(definition: Definition, *, actor: User | None = None) -> LoadResult:
    """Store a validated definition: a new version only when the current one has answers."""
    result = _store_definition(definition)
    if result.outcome != "unchanged":
        audit.record("questionnaire_loaded", actor=actor, questionnaire=result.code,
                     version=result.version, outcome=result.outcome,
                     checksum=definition.checksum)
    return result


def _store_definition(definition: Definition) -> LoadResult:
    digest, stored = definition.checksum, definition.to_json()
    questionnaire = db.session.scalar(
        select(Questionnaire).where(Questionnaire.code == definition.code)
    )
    if questionnaire is None:
        questionnaire = Questionnaire(code=definition.code)
        db.session.add(questionnaire)
    current = questionnaire.current
    if current is not None and current.checksum == digest:
        return LoadResult(questionnaire.code, current.version, "unchanged")
    if current is not None and not _has_answers(current):
        current.definition, current.checksum = stored, digest
        db.session.flush()
        return LoadResult(questionnaire.code, current.version, "updated")
    number = 1 if current is None else current.version + 1
    version = QuestionnaireVersion(questionnaire=questionnaire, version=number,
                                   definition=stored, checksum=digest)
    db.session.add(version)
    db.session.flush()
    return LoadResult(questionnaire.code, number, "created" if number == 1 else "new-version")


def load_file(path: Path, *, actor: User | None = None) -> LoadResult:
    return load_definition(questionnaire_spec.parse(path.read_text(encoding="utf-8")),
                           actor=actor)


def load_builtins() -> list[LoadResult]:
    return [load_file(BUILTIN_DIR / f"{code}.yaml") for code in BUILTIN_CODES]


@dataclass(frozen=True)
class CurrentVersion:
    id: int
    checksum: str
    definition: Definition


_definitions: dict[str, Definition] = {}  # by checksum: a definition never changes under it
# By questionnaire code, the version this process last read as current: a guess to be checked
# (responses.record_at_counter checks it in the statement that stores), never an answer.
_last_seen_current: dict[str, CurrentVersion] = {}


_CURRENT = (select(QuestionnaireVersion.id, QuestionnaireVersion.checksum)
            .join(Questionnaire).where(Questionnaire.code == bindparam("code"))
            .order_by(QuestionnaireVersion.version.desc()).limit(1))


def current(code: str) -> CurrentVersion | None:
    """The questionnaire's current version; only its id and checksum are read on each call."""
    row = db.session.connection().execute(_CURRENT, {"code": code}).first()
    return None if row is None else current_version_read(code, row.id, row.checksum)


def current_version_read(code: str, version_id: int, checksum: str) -> CurrentVersion:
    """The version just read as the current one of ``code``; its definition is read once per
    checksum."""
    definition = _definitions.get(checksum)
    if definition is None:
        stored = db.session.scalar(select(QuestionnaireVersion.definition)
                                   .where(QuestionnaireVersion.id == version_id))
        if stored is None:
            raise LookupError(f"no questionnaire version {version_id}")
        definition = parsed(checksum, stored)
    found = _last_seen_current[code] = CurrentVersion(version_id, checksum, definition)
    return found


def parsed(checksum: str, stored: dict) -> Definition:
    """A stored definition, typed: parsed the first time its checksum is seen, then kept."""
    found = _definitions.get(checksum)
    if found is not None:
        return found
    definition = Definition.from_json(stored)
    if len(_definitions) > 64:
        _definitions.clear()
    _definitions[checksum] = definition
    return definition


def definition_of(version: QuestionnaireVersion) -> Definition:
    """The typed definition of a version row, parsed once per checksum."""
    return parsed(version.checksum, version.definition)


def last_seen_current(code: str) -> CurrentVersion | None:
    """The version this process last read as the current one of ``code``: maybe not any more."""
    return _last_seen_current.get(code)


def current_version(code: str) -> QuestionnaireVersion | None:
    return db.session.scalar(
        select(QuestionnaireVersion)
        .join(Questionnaire)
        .where(Questionnaire.code == code)
        .order_by(QuestionnaireVersion.version.desc())
        .limit(1)
    )
