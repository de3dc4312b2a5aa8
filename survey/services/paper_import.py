"""Import paper survey forms from CSV or XLSX: check every row, then store all of them or none.

Reading the file and its dates is in ``paper_files``; this module checks and stores the rows.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter as Tally
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from survey.extensions import db
from survey.models import Answer, Channel, Counter, Procedure, Questionnaire, Response, Unit
from survey.models.base import utcnow
from survey.models.questionnaires import QuestionnaireVersion
from survey.render.messages import text as message_text
from survey.rules.answers import COMMENT_MAX_LENGTH, parse_answers
from survey.services.paper_files import (
    FIELD_COLUMNS,
    IGNORED_COLUMNS,
    ImportFileError,
    parse_submitted_at,
    read_table,
)
from survey.services.questionnaires import current_version, definition_of

DEFAULT_QUESTIONNAIRE = "quick"
KEY_PREFIX = "paper:"
BATCH = 500

AddError = Callable[[str, object], None]


@dataclass(frozen=True)
class Lookups:
    units: dict[str, int]
    counters: dict[str, tuple[int, int]]  # code -> (id, unit_id)
    procedures: dict[str, int]
    versions: dict[str, QuestionnaireVersion]  # current version by questionnaire code


@dataclass(frozen=True)
class Row:
    """One valid form: its response's column values, its answers, its content for the key."""

    values: dict
    answers: dict[str, int | None]
    content: str


def import_responses(path: Path, *, questionnaire_code: str | None = None, dry_run: bool = False,
                     skip_invalid: bool = False) -> dict:
    """Check the forms in ``path`` and store the new ones; flush, never commit.

    ``rejected`` counts invalid rows, ``skipped_duplicates`` valid rows stored by an earlier import
    and ``imported`` the rows stored (with ``dry_run``: that a real run would store). Without
    ``skip_invalid`` one invalid row refuses the file: ``imported`` is then 0 and the valid new rows
    are counted nowhere. Otherwise the counts add up to the data rows (blank rows are not counted).
    """
    header, rows = read_table(path)
    lookups = _load_lookups()
    default = _default_questionnaire(header, lookups.versions, questionnaire_code)
    in_use = _questionnaires_in_use(rows, default, lookups.versions, questionnaire_code is None)
    _check_columns(header, {code: lookups.versions[code] for code in in_use})
    checker = RowChecker(lookups, header, default, forced=questionnaire_code is not None)
    checked = [checker.check(number, cells) for number, cells in rows]
    valid = [row for row, _problems in checked if row is not None]
    errors = [error for _row, problems in checked for error in problems]
    rejected = len(checked) - len(valid)
    _assign_keys(valid)
    stored = _stored_keys([row.values["idempotency_key"] for row in valid])
    new = [row for row in valid if row.values["idempotency_key"] not in stored]
    refused = rejected > 0 and not skip_invalid
    if not dry_run and not refused:
        _insert(new)
    return {"imported": 0 if refused else len(new), "skipped_duplicates": len(valid) - len(new),
            "rejected": rejected, "errors": errors}


def _load_lookups() -> Lookups:
    """Load every code the rows may name at once, so checking a row runs no query."""
    codes = db.session.scalars(select(Questionnaire.code).order_by(Questionnaire.code)).all()
    versions = {code: current_version(code) for code in codes}
    return Lookups(
        units=dict(db.session.execute(select(Unit.code, Unit.id)).all()),
        counters={code: (id_, unit_id) for code, id_, unit_id in
                  db.session.execute(select(Counter.code, Counter.id, Counter.unit_id))},
        procedures=dict(db.session.execute(select(Procedure.code, Procedure.id)).all()),
        versions={code: version for code, version in versions.items() if version is not None},
    )


def _questions(version: QuestionnaireVersion) -> list[str]:
    return [question.code for question in definition_of(version).questions]


def _default_questionnaire(header: list[str], versions: dict[str, QuestionnaireVersion],
                           chosen: str | None) -> str:
    """Return the chosen code, else the questionnaire matching most columns (ties: quick)."""
    if chosen is not None:
        if chosen not in versions:
            raise ImportFileError(_("Unknown questionnaire %(code)s.", code=chosen))
        return chosen
    if not versions:
        raise ImportFileError(_("No questionnaire is loaded yet."))
    columns = set(header)
    return max(versions, key=lambda code: (len(columns & set(_questions(versions[code]))),
                                           code == DEFAULT_QUESTIONNAIRE))


def _questionnaires_in_use(rows: list[tuple[int, dict[str, str]]], default: str,
                           versions: dict[str, QuestionnaireVersion], per_row: bool) -> list[str]:
    """List the default and, unless one was chosen, the known codes of ``questionnaire`` cells."""
    named = {cells.get("questionnaire", "") for _number, cells in rows} if per_row else set()
    return [default, *sorted(code for code in named if code in versions and code != default)]


def _check_columns(header: list[str], in_use: dict[str, QuestionnaireVersion]) -> None:
    """Refuse a column that no questionnaire in use asks, and a missing required question."""
    known = set(FIELD_COLUMNS + IGNORED_COLUMNS).union(*map(_questions, in_use.values()))
    unknown = [name for name in header if name and name not in known]
    if unknown:
        raise ImportFileError(_("Unknown columns: %(columns)s. They are not questions of the "
                                "questionnaire %(code)s.", columns=", ".join(unknown),
                                code=", ".join(in_use)))
    default, version = next(iter(in_use.items()))
    for question in definition_of(version).questions:
        if question.required and question.code not in header:
            # Without the column every row would fail the same way: say it once.
            raise ImportFileError(_("The column of the required question %(question)s is missing "
                                    "(questionnaire %(code)s).", question=question.code,
                                    code=default))


class RowChecker:
    """Turn the cells of one row into a Row, collecting every problem with its column."""

    def __init__(self, lookups: Lookups, header: list[str], default: str, *, forced: bool):
        self.lookups, self.default, self.forced = lookups, default, forced
        self.question_columns = [name for name in header
                                 if name and name not in FIELD_COLUMNS + IGNORED_COLUMNS]
        self.now = utcnow()

    def check(self, number: int, cells: dict[str, str]) -> tuple[Row | None, list[dict]]:
        """Return the row, or None and its errors as ``{"row", "column", "message"}``."""
        errors: list[dict] = []

        def add(column: str, message: object) -> None:
            errors.append({"row": number, "column": column, "message": str(message)})

        code = self._questionnaire(cells.get("questionnaire", ""), add)
        try:
            submitted_at = parse_submitted_at(cells["submitted_at"], self.now)
        except ValueError as error:
            add("submitted_at", error.args[0])
        unit, counter = cells["unit"], cells.get("counter", "")
        unit_id, counter_id = self._place(unit, counter, add)
        procedure = cells.get("procedure", "")
        procedure_id = self.lookups.procedures.get(procedure)
        if procedure and procedure_id is None:
            add("procedure", _("Unknown procedure code %(code)s.", code=procedure))
        channel = self._channel(cells.get("channel", ""), add)
        comment = cells.get("comment", "")
        if len(comment) > COMMENT_MAX_LENGTH:
            add("comment", _("The comment is longer than %(max)d characters.",
                             max=COMMENT_MAX_LENGTH))
        answers = self._answers(code, cells, add) if code else {}
        if errors or code is None:  # no questionnaire is always an error too
            return None, errors
        # Parsed values, not the cells: the same form typed as CSV or XLSX gets the same key.
        content = json.dumps([code, submitted_at.isoformat(), unit, counter, procedure,
                              channel.value, sorted(answers.items()), comment],
                             ensure_ascii=False, separators=(",", ":"))
        # officer_id stays None: a form typed in later does not tell who served the respondent,
        # and the counter's officer on duty now need not be the one on duty that day.
        return Row({"questionnaire_version_id": self.lookups.versions[code].id, "unit_id": unit_id,
                    "counter_id": counter_id, "officer_id": None, "procedure_id": procedure_id,
                    "channel": channel, "submitted_at": submitted_at,
                    "comment": comment or None}, answers, content), []

    def _questionnaire(self, value: str, add: AddError) -> str | None:
        if not value:
            return self.default
        if self.forced and value != self.default:
            add("questionnaire", _("This row is a form of questionnaire %(row)s, not %(chosen)s.",
                                   row=value, chosen=self.default))
            return None
        if value not in self.lookups.versions:
            add("questionnaire", _("Unknown questionnaire %(code)s.", code=value))
            return None
        return value

    def _place(self, unit: str, counter: str, add: AddError) -> tuple[int | None, int | None]:
        unit_id = self.lookups.units.get(unit)
        if unit_id is None:
            add("unit", _("The unit code is missing.") if not unit
                else _("Unknown unit code %(code)s.", code=unit))
        if not counter:
            return unit_id, None
        counter_id, counter_unit_id = self.lookups.counters.get(counter, (None, None))
        if counter_id is None:
            add("counter", _("Unknown counter code %(code)s.", code=counter))
        elif unit_id is not None and counter_unit_id != unit_id:
            add("counter", _("Counter %(counter)s does not belong to unit %(unit)s.",
                             counter=counter, unit=unit))
        return unit_id, counter_id

    def _channel(self, value: str, add: AddError) -> Channel:
        try:
            return Channel(value.lower() or Channel.PAPER)
        except ValueError:
            add("channel", _("Unknown channel %(value)s: use paper, qr, kiosk or online.",
                             value=value))
            return Channel.PAPER

    def _answers(self, code: str, cells: dict[str, str], add: AddError) -> dict[str, int | None]:
        """Check with the web form's own rules; refuse answers to another questionnaire."""
        definition = definition_of(self.lookups.versions[code])
        own = {question.code for question in definition.questions}
        for column in self.question_columns:
            if column not in own and cells.get(column):
                add(column, _("Question %(question)s is not on questionnaire %(code)s: leave it "
                              "empty.", question=column, code=code))
        answers, problems = parse_answers(definition, cells)
        for problem in problems:
            add(problem.question, message_text(problem.message))
        return answers


def _assign_keys(rows: list[Row]) -> None:
    """Key each row by its content and how often that content came before in the file."""
    seen: Tally[str] = Tally()
    for row in rows:
        digest = hashlib.sha256(row.content.encode("utf-8")).hexdigest()
        seen[digest] += 1
        # Two identical forms are two respondents: the occurrence number keeps both.
        row.values["idempotency_key"] = f"{KEY_PREFIX}{digest}:{seen[digest]}"


def _stored_keys(keys: list[str]) -> set[str]:
    """Return the keys that an earlier import stored already."""
    found: set[str] = set()
    for start in range(0, len(keys), BATCH):
        found.update(db.session.scalars(select(Response.idempotency_key).where(
            Response.idempotency_key.in_(keys[start:start + BATCH]))))
    return found


def _insert(rows: list[Row]) -> None:
    """Insert responses and answers in batches; a race with another import refuses the file."""
    # Plain Core executemany: the ORM bulk path with RETURNING sent one statement per row, and
    # psycopg spends longer parsing SQLAlchemy's multi-row VALUES than pipelining single rows.
    try:
        with db.session.begin_nested():
            for start in range(0, len(rows), BATCH):
                batch = rows[start:start + BATCH]
                db.session.execute(insert(Response.__table__), [row.values for row in batch])
                keys = [row.values["idempotency_key"] for row in batch]
                ids = dict(db.session.execute(select(Response.idempotency_key, Response.id)
                                              .where(Response.idempotency_key.in_(keys))).all())
                answers = [{"response_id": ids[key], "question_code": code, "value": value}
                           for key, row in zip(keys, batch, strict=True)
                           for code, value in row.answers.items()]
                if answers:
                    db.session.execute(insert(Answer.__table__), answers)
    except IntegrityError as error:
        raise ImportFileError(_("Another import stored some of these rows meanwhile: run the "
                                "import again.")) from error
