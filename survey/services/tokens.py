"""One-time transaction links: issued per dossier, each good for one response.

A link belongs to its dossier, not to the counter's poster: it stays good after the counter gets
a new survey code (``current_code_of_link`` finds where a link under an old code now leads).
"""

from __future__ import annotations

import secrets

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Counter, RevokedSurveyCode, TransactionToken, User
from survey.services import audit
from survey.services.responses import hash_token

TOKEN_BYTES = 12  # 96 bits: unguessable, and short enough to keep the QR code small


def issue_tokens(counter: Counter, count: int = 1, officer: User | None = None, *,
                 actor: User | None = None) -> list[str]:
    """Create ``count`` tokens and return them in clear; only their hashes are stored.

    The audit trail says how many were issued for which counter, never the tokens.
    """
    tokens = [secrets.token_urlsafe(TOKEN_BYTES) for _ in range(count)]
    db.session.add_all(
        TransactionToken(token_hash=hash_token(t), counter_id=counter.id,
                         officer_id=officer.id if officer else None)
        for t in tokens
    )
    db.session.flush()
    audit.record("links_issued", actor=actor, counter=counter.id, count=count,
                 officer=officer.id if officer else None)
    return tokens


def token_state(token: str, counter_id: int) -> str:
    """``"valid"``, ``"used"`` or ``"unknown"`` (unknown includes a token of another counter)."""
    row = db.session.execute(
        select(TransactionToken.counter_id, TransactionToken.used_at)
        .where(TransactionToken.token_hash == hash_token(token))).first()
    if row is None or row.counter_id != counter_id:
        return "unknown"
    return "used" if row.used_at is not None else "valid"


def current_code_of_link(old_code: str, token: str) -> str | None:
    """The counter's current survey code if ``old_code`` is one it had before and ``token`` is
    one of its links (used or not); None otherwise."""
    return db.session.scalar(
        select(Counter.survey_code)
        .join(RevokedSurveyCode, RevokedSurveyCode.counter_id == Counter.id)
        .join(TransactionToken, TransactionToken.counter_id == Counter.id)
        .where(RevokedSurveyCode.code == old_code,
               TransactionToken.token_hash == hash_token(token)))


def unused_links(counter: Counter) -> int:
    """How many of the counter's one-time links have not been used yet."""
    return db.session.execute(select(func.count()).select_from(TransactionToken).where(
        TransactionToken.counter_id == counter.id, TransactionToken.used_at.is_(None))).scalar_one()
