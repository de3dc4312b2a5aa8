"""One-time transaction links: issued per dossier, each good for one response."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from survey.extensions import db
from survey.models import Counter, TransactionToken, User
from survey.services.responses import hash_token

TOKEN_BYTES = 12  # 96 bits: unguessable, and short enough to keep the QR code small


def issue_tokens(counter: Counter, count: int = 1, officer: User | None = None) -> list[str]:
    """Create ``count`` tokens and return them in clear; only their hashes are stored."""
    tokens = [secrets.token_urlsafe(TOKEN_BYTES) for _ in range(count)]
    db.session.add_all(
        TransactionToken(token_hash=hash_token(t), counter_id=counter.id,
                         officer_id=officer.id if officer else None)
        for t in tokens
    )
    db.session.flush()
    return tokens


def token_state(token: str, counter_id: int) -> str:
    """``"valid"``, ``"used"`` or ``"unknown"`` (unknown includes a token of another counter)."""
    row = db.session.execute(
        select(TransactionToken.counter_id, TransactionToken.used_at)
        .where(TransactionToken.token_hash == hash_token(token))).first()
    if row is None or row.counter_id != counter_id:
        return "unknown"
    return "used" if row.used_at is not None else "valid"
