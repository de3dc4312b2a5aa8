"""Record a survey response exactly once, honouring one-time transaction links."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from survey.extensions import db
from survey.models import (
    Answer,
    Channel,
    Counter,
    Procedure,
    QuestionnaireVersion,
    Response,
    TransactionToken,
)
from survey.models.base import utcnow


class TokenRejected(Exception):
    """The one-time link is unknown, for another counter, or already used."""


@dataclass(frozen=True)
class Submission:
    version: QuestionnaireVersion
    unit_id: int
    answers: dict[str, int | None]
    idempotency_key: str
    channel: Channel = Channel.QR
    counter: Counter | None = None
    procedure: Procedure | None = None
    comment: str | None = None
    token: str | None = None
    officer_id: int | None = None
    submitted_at: datetime | None = None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def find_by_key(idempotency_key: str) -> Response | None:
    return db.session.scalar(select(Response).where(Response.idempotency_key == idempotency_key))


def _consume_token(token: str, counter: Counter | None, now: datetime) -> TransactionToken:
    """Mark the token used in one conditional UPDATE, so two racing requests cannot both win."""
    digest = hash_token(token)
    result = db.session.execute(
        update(TransactionToken)
        .where(TransactionToken.token_hash == digest, TransactionToken.used_at.is_(None),
               TransactionToken.counter_id == (counter.id if counter else None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise TokenRejected
    return db.session.scalar(select(TransactionToken).where(TransactionToken.token_hash == digest))


def record_response(submission: Submission) -> tuple[Response, bool]:
    """Store the submission; return ``(response, created)``.

    A submission whose idempotency key is already stored returns the stored response, so a double
    tap, a resent form or a retried request yields one response.
    """
    existing = find_by_key(submission.idempotency_key)
    if existing is not None:
        return existing, False
    now = submission.submitted_at or utcnow()
    officer_id = submission.officer_id
    if officer_id is None and submission.counter is not None:
        officer_id = submission.counter.officer_on_duty_id
    try:
        with db.session.begin_nested():
            if submission.token:
                token_row = _consume_token(submission.token, submission.counter, now)
                officer_id = token_row.officer_id or officer_id
            response = Response(
                questionnaire_version_id=submission.version.id,
                unit_id=submission.unit_id,
                counter_id=submission.counter.id if submission.counter else None,
                officer_id=officer_id,
                procedure_id=submission.procedure.id if submission.procedure else None,
                channel=submission.channel,
                submitted_at=now,
                comment=(submission.comment or "").strip() or None,
                idempotency_key=submission.idempotency_key,
                answers=[Answer(question_code=code, value=value)
                         for code, value in submission.answers.items()],
            )
            db.session.add(response)
            db.session.flush()
    except IntegrityError:
        # A concurrent request with the same key won the race; it stored the response.
        existing = find_by_key(submission.idempotency_key)
        if existing is None:
            raise
        return existing, False
    return response, True
