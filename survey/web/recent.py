"""Which counters this browser answered recently: a small signed cookie, apart from the session.

Kept out of the session so that a submission does not re-sign the whole session cookie, and so
that it holds nothing but counter codes and times (no answer, no person).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

COOKIE = "answered"
MAX_ENTRIES = 20
# How long the cookie remembers an answer for the repeat-browser flag (the refusal window may be
# shorter), and how many counters within that time make a browser a repeat answerer.
REPEAT_MEMORY_SECONDS = 3600
REPEAT_COUNTERS = 3


def _sign(secret: str | bytes, payload: str) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()[:32]


def read(cookie: str | None, secret: str | bytes) -> dict[str, int]:
    """``{survey code: unix time}`` from the cookie; anything tampered with reads as empty."""
    if not cookie or "." not in cookie:
        return {}
    payload, signature = cookie.rsplit(".", 1)
    if not hmac.compare_digest(signature, _sign(secret, payload)):
        return {}
    entries = {}
    for item in payload.split("|"):
        code, _, moment = item.partition(":")
        if code and moment.isdigit():
            entries[code] = int(moment)
    return entries


def write(entries: Mapping[str, int], secret: str | bytes) -> str:
    newest = sorted(entries.items(), key=lambda kv: kv[1], reverse=True)[:MAX_ENTRIES]
    payload = "|".join(f"{code}:{moment}" for code, moment in newest)
    return f"{payload}.{_sign(secret, payload)}"


def answered_within(entries: Mapping[str, int], code: str, window_seconds: int,
                    now: float | None = None) -> bool:
    moment = entries.get(code)
    return moment is not None and (now or time.time()) - moment < window_seconds


def is_repeat_browser(entries: Mapping[str, int], code: str, now: float,
                      memory_seconds: int = REPEAT_MEMORY_SECONDS,
                      counters: int = REPEAT_COUNTERS) -> bool:
    """Tell whether a new answer for ``code`` makes this browser a repeat answerer.

    ``entries`` are the browser's answers before this one. Repeat means: it answered this same
    counter within the last hour already (once the refusal window has passed, or through a
    one-time link), or this answer makes ``counters`` different counters within the hour. A
    citizen is served at one counter, sometimes two, in one visit; three in an hour looks like
    someone rating on others' behalf. The answer is only flagged (never refused), and nothing
    that identifies the browser is stored. A shared kiosk browser runs with the refusal window
    off (``SURVEY_REPEAT_WINDOW_MINUTES=0``): it then keeps no cookie and is never flagged.
    """
    seen = {c for c, moment in entries.items() if now - moment < memory_seconds}
    return code in seen or len(seen | {code}) >= counters
