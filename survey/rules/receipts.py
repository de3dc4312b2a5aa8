"""Receipt codes for cases: about 96 random bits, read aloud in groups (pure).

New codes use Crockford's base 32 without 0, 1, 5 and S: on a printed receipt or a phone screen
S and 5, 0 and O, 1 and I or L are easily mistaken, so none of them is ever issued. Codes issued
before (the full Crockford alphabet, 100 bits) keep working: both are read the same way, and the
new alphabet is a subset of the old, so one normal form and one hash serve them all.
"""

from __future__ import annotations

import hashlib
import secrets

# Crockford's base 32 (no I, L, O or U): what codes issued before the change may hold.
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# What new codes are made of: Crockford's symbols less the look-alikes 0, 1, 5 and S.
ALPHABET = "2346789ABCDEFGHJKMNPQRTVWXYZ"
LENGTH = 20  # 20 symbols x log2(28) = 96.1 bits
GROUP = 4
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def _grouped(raw: str) -> str:
    return "-".join(raw[i:i + GROUP] for i in range(0, LENGTH, GROUP))


def new_code() -> str:
    return _grouped("".join(secrets.choice(ALPHABET) for _ in range(LENGTH)))


def groups(code: str) -> list[str]:
    """The code's groups of four, as printed (each kept whole on a line)."""
    return code.split("-")


def normalise(typed: str) -> str | None:
    """Forgive case, spaces, dashes and look-alike letters; None if it cannot be a code.

    Look-alikes fold onto the symbols old codes used (O to 0, I and L to 1, U to V); a new code
    holds none of those letters, so folding never changes one.
    """
    raw = "".join(ch for ch in typed.upper() if ch.isalnum()).translate(_CONFUSABLE)
    if len(raw) != LENGTH or any(ch not in CROCKFORD for ch in raw):
        return None
    return _grouped(raw)


def digest(code: str) -> str:
    """What the database keeps: the code itself never is."""
    return hashlib.sha256(code.encode("ascii")).hexdigest()
