"""Record a survey response exactly once, honouring one-time transaction links.

This is the hottest write path of the platform (every QR scan ends here), so it speaks SQL
directly: one INSERT … ON CONFLICT DO NOTHING RETURNING for the response (the idempotency key
makes a retried or double-tapped submission a no-op), one multi-row INSERT for its answers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from survey.extensions import db
from survey.models import Answer, Channel, Response, TransactionToken
from survey.models.base import utcnow

# Built once per dialect: the statements of the hot path are not recomposed per request.
_INSERT_RESPONSE = {
    name: (dialect_insert(Response).on_conflict_do_nothing(index_elements=["idempotency_key"])
           .returning(Response.id))
    for name, dialect_insert in (("sqlite", sqlite_insert), ("postgresql", postgresql_insert))
}
_INSERT_ANSWERS = insert(Answer)


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


def _insert_response(values: dict) -> int | None:
    """Insert unless the idempotency key is taken; return the new id, or None for a repeat."""
    connection = db.session.connection()
    return connection.execute(_INSERT_RESPONSE[connection.dialect.name], values).scalar()


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
    response_id = _insert_response({
        "questionnaire_version_id": submission.version_id, "unit_id": submission.unit_id,
        "counter_id": submission.counter_id, "officer_id": officer_id,
        "procedure_id": submission.procedure_id, "channel": submission.channel,
        "submitted_at": now, "comment": (submission.comment or "").strip() or None,
        "idempotency_key": submission.idempotency_key,
    })
    if response_id is None:
        return find_by_key(submission.idempotency_key), False
    if submission.answers:
        db.session.connection().execute(_INSERT_ANSWERS, [
            {"response_id": response_id, "question_code": code, "value": value}
            for code, value in submission.answers.items()])
    return response_id, True
