"""Denouncers' identities, encrypted at rest with ``SURVEY_IDENTITY_KEY``.

The setting holds one or more Fernet keys separated by commas: the first encrypts, all decrypt.
To rotate: put a new key first, keep the old ones after it, run ``survey identity rotate``, then
drop the old keys.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import asdict, dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import select

from survey.extensions import db
from survey.models.cases import DenouncerIdentity


@dataclass(frozen=True)
class Identity:
    name: str
    address: str = ""
    phone: str = ""
    email: str = ""


def _keys() -> list[bytes]:
    configured = current_app.config.get("SURVEY_IDENTITY_KEY") or ""
    keys = [k.strip().encode() for k in configured.split(",") if k.strip()]
    if keys:
        return keys
    # Development and tests only (production refuses to start without a key): derive one.
    digest = hashlib.sha256(("identity:" + current_app.config["SECRET_KEY"]).encode()).digest()
    return [base64.urlsafe_b64encode(digest)]


def _cipher() -> MultiFernet:
    return MultiFernet([Fernet(k) for k in _keys()])


def seal(case_id: int, identity: Identity) -> None:
    payload = json.dumps(asdict(identity), ensure_ascii=False).encode("utf-8")
    db.session.add(DenouncerIdentity(case_id=case_id, ciphertext=_cipher().encrypt(payload)))
    db.session.flush()


def unseal(case_id: int) -> Identity | None:
    """Decrypt; the caller must be the custodian and must have recorded why (see services.cases)."""
    row = db.session.get(DenouncerIdentity, case_id)
    if row is None:
        return None
    try:
        return Identity(**json.loads(_cipher().decrypt(row.ciphertext)))
    except InvalidToken as exc:
        raise RuntimeError("the identity key does not open this record") from exc


def rotate() -> int:
    """Re-encrypt every identity with the first key; returns how many were rewritten."""
    cipher, count = _cipher(), 0
    for row in db.session.scalars(select(DenouncerIdentity)):
        row.ciphertext = cipher.rotate(row.ciphertext)
        count += 1
    db.session.flush()
    return count
