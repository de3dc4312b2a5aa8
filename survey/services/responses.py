"""Record a survey response exactly once, honouring one-time transaction links.

This is the hottest write path of the platform (every QR scan ends here), so it speaks SQL
directly: one INSERT … ON CONFLICT DO NOTHING for the response (the idempotency key makes a
retried or double-tapped submission a no-op), one INSERT for its answers. On PostgreSQL both go
in one statement (the answers' INSERT reads the new id from a data-modifying WITH): a round trip
to the database costs more than anything else on this path. ``record_at_counter`` also folds
the look-ups of the counter, version and procedure into that INSERT (``INSERT … SELECT``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    JSON,
    BindParameter,
    Select,
    SmallInteger,
    bindparam,
    cast,
    func,
    insert,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import Insert as PostgreSQLInsert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import Insert as SQLiteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from survey.extensions import db
from survey.models import Answer, Channel, Response, TransactionToken
from survey.models.base import utcnow
from survey.services import survey_targets

# Typed as either dialect's Insert: their common base has no on_conflict_do_nothing.
_INSERT: dict[str, Callable[[type[Response]], SQLiteInsert | PostgreSQLInsert]] = {
    "sqlite": sqlite_insert, "postgresql": postgresql_insert}
_INSERT_ANSWERS = insert(Answer)


def _bound(names) -> dict[str, BindParameter]:
    columns = Response.__table__.c
    return {name: bindparam(name, type_=columns[name].type) for name in names}


def _storing(dialect: str, source: dict[str, BindParameter] | Select):
    """INSERT the response from ``source`` (values, or a SELECT) unless its idempotency key is
    taken. On PostgreSQL the same statement inserts the answers too, read from one JSON object
    ``{code: value}`` (one statement whatever their number, one parameter for the driver to
    adapt), and returns the new id; on SQLite the row count and last rowid tell it.
    """
    statement = _INSERT[dialect](Response)
    statement = (statement.values(source) if isinstance(source, dict)
                 else statement.from_select(list(survey_targets.RESPONSE_COLUMNS), source))
    statement = statement.on_conflict_do_nothing(index_elements=["idempotency_key"])
    if dialect != "postgresql":
        # No RETURNING: SQLite buffers the returned rows, 15 of the 66 µs this transaction
        # took in a bare loop; the row count and last rowid tell the same.
        return statement
    new = statement.returning(Response.id).cte("new_response")
    given = (func.json_each_text(bindparam("answers", type_=JSON))
             .table_valued("key", "value").render_derived("given"))
    answers = insert(Answer).from_select(
        ["response_id", "question_code", "value"],
        select(new.c.id, given.c.key, cast(given.c.value, SmallInteger)).select_from(new)
        .join(given, true())).cte("new_answers")
    return select(new.c.id).add_cte(answers)


# Built once per dialect: composing these statements costs more than running them.
_COLUMNS = _bound(survey_targets.RESPONSE_COLUMNS)
_STORE = {(dialect, way): _storing(dialect, source) for dialect in _INSERT
          for way, source in (("values", _COLUMNS),
                              ("at_counter", survey_targets.response_values_at_counter(_COLUMNS)))}


class TokenRejected(Exception):
    """The one-time link is unknown, for another counter, or already used."""


@dataclass(frozen=True)
class Submission:
    version_id: int
    unit_id: int
    answers: dict[str, int | None]
    idempotency_key: str
    channel: Channel = Channel.QR
    counter_id: int | None = None
    officer_id: int | None = None  # the counter's officer on duty, unless a token names one
    procedure_id: int | None = None
    comment: str | None = None
    token: str | None = None
    submitted_at: datetime | None = None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def find_by_key(idempotency_key: str) -> int | None:
    return db.session.scalar(select(Response.id).where(Response.idempotency_key == idempotency_key))


def _consume_token(token: str, counter_id: int | None, now: datetime) -> int | None:
    """Mark the token used in one conditional UPDATE, so two racing requests cannot both win.

    Returns the officer the token names, if any.
    """
    digest = hash_token(token)
    result = db.session.execute(
        update(TransactionToken)
        .where(TransactionToken.token_hash == digest, TransactionToken.used_at.is_(None),
               TransactionToken.counter_id == counter_id)
        .values(used_at=now)
        .returning(TransactionToken.officer_id)
        .execution_options(synchronize_session=False)
    ).first()
    if result is None:
        raise TokenRejected
    return result.officer_id


def _store(way: str, values: dict, answers: dict[str, int | None]) -> int | None:
    """Run the ``way`` statement of ``_STORE`` (and the answers' INSERT on SQLite); the new id,
    or None when it inserted nothing."""
    connection = db.session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        return connection.execute(_STORE[dialect, way], {
            **values, "answers": answers,
        }).scalar()
    result = connection.execute(_STORE[dialect, way], values)
    response_id = result.lastrowid if result.rowcount == 1 else None
    if response_id is not None and answers:
        connection.execute(_INSERT_ANSWERS, [
            {"response_id": response_id, "question_code": code, "value": value}
            for code, value in answers.items()])
    return response_id


def record_at_counter(survey_code: str, questionnaire: str, version_id: int, checksum: str,
                      procedure: str | None, answers: dict[str, int | None], idempotency_key: str,
                      comment: str | None = None, channel: Channel = Channel.QR) -> int | None:
    """Store a submission at the counter of ``survey_code`` by one statement that also checks it.

    It stores only if what the long way (look-ups, then ``record_response``) would check still
    holds: the counter is active, ``version_id`` is the current version of ``questionnaire`` with
    the definition of ``checksum`` (the one the answers were checked against), ``procedure`` (a
    code) is none or one of the unit's procedures; unit, counter and officer are the counter's,
    as the long way takes them. Return the new id, or None when a check fails or the key is
    already stored: the caller then takes the long way, which tells these apart. The caller
    commits.
    """
    return _store("at_counter", {
        "survey_code": survey_code, "questionnaire": questionnaire,
        "questionnaire_checksum": checksum,
        "procedure": procedure or None, "questionnaire_version_id": version_id,
        "channel": channel, "submitted_at": utcnow(),
        "comment": (comment or "").strip() or None, "idempotency_key": idempotency_key,
    }, answers)


def record_response(submission: Submission) -> tuple[int, bool]:
    """Store the submission; return ``(response id, created)``.

    A submission whose idempotency key is already stored changes nothing and returns the stored
    response's id, so a double tap, a resent form or a retried request yields one response. The
    caller commits; a rejected token raises TokenRejected before anything is written.
    """
    now = submission.submitted_at or utcnow()
    officer_id = submission.officer_id
    if submission.token:
        if (existing := find_by_key(submission.idempotency_key)) is not None:
            return existing, False  # the retry of a request whose token it already used
        officer_id = _consume_token(submission.token, submission.counter_id, now) or officer_id
    response_id = _store("values", {
        "questionnaire_version_id": submission.version_id, "unit_id": submission.unit_id,
        "counter_id": submission.counter_id, "officer_id": officer_id,
        "procedure_id": submission.procedure_id, "channel": submission.channel,
        "submitted_at": now, "comment": (submission.comment or "").strip() or None,
        "idempotency_key": submission.idempotency_key,
    }, submission.answers)
    if response_id is None:
        return _id_of_taken_key(submission.idempotency_key), False
    return response_id, True


def _id_of_taken_key(idempotency_key: str) -> int:
    """The response stored under a key that an INSERT … ON CONFLICT just found taken."""
    return db.session.execute(select(Response.id)
                              .where(Response.idempotency_key == idempotency_key)).scalar_one()
