"""Append audit events to a hash chain, and verify the chain.

Each event's hash covers its content and the previous event's hash, and ``audit_head`` keeps the
last hash; so editing an event, deleting one, or cutting the tail all break verification.
Appending locks the head row first, which serialises writers on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import CursorResult, insert, select, update

from survey.extensions import db
from survey.models.audit import AuditEvent, AuditHead
from survey.models.base import utcnow

GENESIS = "0" * 64


def event_hash(prev_hash: str, *, case_id: int | None, actor_id: int | None, actor_kind: str,
               action: str, detail: dict, at: datetime) -> str:
    content = json.dumps(
        {"case": case_id, "actor": actor_id, "kind": actor_kind, "action": action,
         "detail": detail, "at": at.isoformat(timespec="microseconds")},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str,
    )
    return hashlib.sha256((prev_hash + content).encode("utf-8")).hexdigest()


def _lock_head(count: int = 1) -> str:
    """Take the chain's head for this transaction and return the last hash."""
    # An UPDATE's result is a CursorResult (it has rowcount); Session.execute is typed Result.
    result = cast(CursorResult, db.session.execute(
        update(AuditHead).where(AuditHead.id == 1).values(appends=AuditHead.appends + count)))
    if result.rowcount == 0:
        db.session.add(AuditHead(id=1, last_hash=GENESIS, appends=count))
        db.session.flush()
    return db.session.execute(select(AuditHead.last_hash).where(AuditHead.id == 1)).scalar_one()


def record(action: str, *, case_id: int | None = None, actor=None, actor_kind: str | None = None,
           **detail) -> AuditEvent:
    """Append one event. ``detail`` must never hold a denouncer's identity."""
    prev = _lock_head()
    at = utcnow()
    kind = actor_kind or ("staff" if actor is not None else "system")
    actor_id = actor.id if actor is not None else None
    digest = event_hash(prev, case_id=case_id, actor_id=actor_id, actor_kind=kind, action=action,
                        detail=detail, at=at)
    event = AuditEvent(case_id=case_id, actor_id=actor_id, actor_kind=kind, action=action,
                       detail=detail, at=at, prev_hash=prev, hash=digest)
    db.session.add(event)
    db.session.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=digest))
    db.session.flush()
    return event


def record_many(action: str, events: Sequence[tuple[int | None, dict]], *, actor=None,
                actor_kind: str | None = None) -> None:
    """Append one event per (case id, detail) in one locked step: a batch re-routing writes
    thousands of events, and taking the head once keeps it to a few statements."""
    if not events:
        return
    prev = _lock_head(len(events))
    kind = actor_kind or ("staff" if actor is not None else "system")
    actor_id = actor.id if actor is not None else None
    rows = []
    for case_id, detail in events:
        at = utcnow()
        digest = event_hash(prev, case_id=case_id, actor_id=actor_id, actor_kind=kind,
                            action=action, detail=detail, at=at)
        rows.append({"case_id": case_id, "actor_id": actor_id, "actor_kind": kind,
                     "action": action, "detail": detail, "at": at, "prev_hash": prev,
                     "hash": digest})
        prev = digest
    db.session.execute(insert(AuditEvent), rows)
    db.session.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=prev))


@dataclass(frozen=True)
class Verification:
    events: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(batch: int = 5000) -> Verification:
    """Walk the chain in order and report every event that does not fit."""
    problems: list[str] = []
    prev, count, last_id = GENESIS, 0, 0
    while True:
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.id > last_id)
                                    .order_by(AuditEvent.id).limit(batch)).all()
        if not events:
            break
        for event in events:
            count += 1
            if event.prev_hash != prev:
                problems.append(f"event {event.id}: does not follow the previous event "
                                "(an event before it was deleted or changed)")
            expected = event_hash(event.prev_hash, case_id=event.case_id, actor_id=event.actor_id,
                                  actor_kind=event.actor_kind, action=event.action,
                                  detail=event.detail, at=event.at)
            if expected != event.hash:
                problems.append(f"event {event.id}: content was changed")
            prev, last_id = event.hash, event.id
        db.session.expire_all()
    head = db.session.scalar(select(AuditHead.last_hash).where(AuditHead.id == 1))
    if (head or GENESIS) != prev:
        problems.append("the last events were deleted (the chain's head does not match)")
    return Verification(events=count, problems=problems)
