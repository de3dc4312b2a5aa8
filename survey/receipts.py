"""Receipt codes for cases: 100 random bits, read aloud in groups (pure)."""

from __future__ import annotations

import hashlib
import secrets

# Crockford's base 32: no I, L, O or U, so a code read over the phone is not misheard.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 20  # 20 symbols x 5 bits = 100 bits
GROUP = 4
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i:i + GROUP] for i in range(0, LENGTH, GROUP))


def normalise(typed: str) -> str | None:
    """Forgive case, spaces, dashes and look-alike letters; None if it cannot be a code."""
    raw = "".join(ch for ch in typed.upper() if ch.isalnum()).translate(_CONFUSABLE)
    if len(raw) != LENGTH or any(ch not in ALPHABET for ch in raw):
        return None
    return "-".join(raw[i:i + GROUP] for i in range(0, LENGTH, GROUP))


def digest(code: str) -> str:
    """What the database keeps: the code itself never is."""
    return hashlib.sha256(code.encode("ascii")).hexdigest()
