"""What the citizen reads about their case: the thread of replies, messages and files (pure).

Takes a case's messages and attachments as plain objects (anything with the attributes used
here) and returns what the tracking page shows, in order. Internal notes never enter: the
thread is built from what the citizen may see, not filtered at the end.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

SEEN_BY_CITIZEN = ("public", "citizen")


class MessageLike(Protocol):
    # Read-only (properties), so that a model's Mapped[...] columns match.
    @property
    def visibility(self) -> object: ...  # an enum whose value is "internal", "public" or "citizen"
    @property
    def step(self) -> str | None: ...
    @property
    def body(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


class FileLike(Protocol):
    original_name: str
    from_citizen: bool
    added_after_filing: bool
    created_at: datetime


@dataclass(frozen=True)
class Entry:
    """One line of the thread; ``kind`` chooses its heading on the page."""

    kind: str  # answer, earlier_answer, office, reopen_reason, citizen, file
    at: datetime
    text: str


def _value(visibility: object) -> str:
    return str(getattr(visibility, "value", visibility))


def outcome_kind(state: str, resolved_at: datetime | None, reopened_count: int) -> str:
    """How to head the case's outcome: the answer, an earlier answer, or a reason (refusal)."""
    if resolved_at is not None:
        return "answer"
    if reopened_count and state not in ("refused", "forwarded"):
        return "earlier_answer"  # answered, judged unsatisfying, and being looked at again
    return "reason"


def filed_files(files: Iterable[FileLike]) -> list[str]:
    """Names of the files the citizen sent with the case itself."""
    return [f.original_name for f in files if f.from_citizen and not f.added_after_filing]


def thread(messages: Iterable[MessageLike], files: Iterable[FileLike],
           answered: bool) -> list[Entry]:
    """Replies, the citizen's messages and later files, oldest first.

    ``answered``: the case holds an answer now (so its last answer is the current one; after a
    reopening every answer so far is an earlier one).
    """
    seen = [m for m in messages if _value(m.visibility) in SEEN_BY_CITIZEN]
    answers = [m for m in seen if _value(m.visibility) == "public" and m.step == "resolve"]
    current = answers[-1] if answered and answers else None
    entries = [Entry(_kind(m, current), m.created_at, m.body) for m in seen]
    entries += [Entry("file", f.created_at, f.original_name) for f in files
                if f.from_citizen and f.added_after_filing]
    # A stable sort: a message and the files sent with it keep that order.
    return sorted(entries, key=lambda e: e.at)


def _kind(message: MessageLike, current: MessageLike | None) -> str:
    if _value(message.visibility) == "citizen":
        return "reopen_reason" if message.step == "reopen" else "citizen"
    if message.step == "resolve":
        return "answer" if message is current else "earlier_answer"
    return "office"
