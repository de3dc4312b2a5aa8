"""The inspector's list of flagged responses and their decisions: exclude and put back.

``exclude`` and ``include`` record the decision (a reason is required; each is audited, with
personal data masked) and the index leaves excluded responses out of its "without excluded"
figures. Nothing is ever deleted from the responses. Every verb flushes and never commits: the
caller commits once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, delete, exists, func, insert, select

from survey.analysis import anomalies, load
from survey.analysis.load.quality import FlagCounts
from survey.extensions import db
from survey.models import Counter, Response, Unit, User
from survey.models.base import utcnow
from survey.models.quality import ResponseExclusion, ResponseFlag
from survey.rules.masking import mask_personal_data
from survey.services import ServiceError, audit

CHUNK = 5000
REASON_MAX_LENGTH = 500
EXCLUDED = "excluded"  # the filter of flagged_responses that lists the excluded responses


@dataclass(frozen=True)
class FlaggedResponse:
    """One line of the inspector's list: no answer, no comment, nothing about a person."""

    id: int
    submitted_at: datetime
    unit: str
    counter: str | None
    kinds: tuple[str, ...]
    excluded: bool
    reason: str | None




def _scope(unit_ids: Collection[int] | None, start: datetime | None,
           end: datetime | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = (
        [Response.unit_id.in_(list(unit_ids))] if unit_ids is not None else [])
    if start is not None:
        conditions.append(Response.submitted_at >= start)
    if end is not None:
        conditions.append(Response.submitted_at < end)
    return conditions


def _selector(kind: str | None):
    """Responses with a flag of ``kind``, excluded ones (EXCLUDED), or either (None)."""
    # Correlated on Response only: the list joins ResponseExclusion in the outer query too.
    excluded = (exists().where(ResponseExclusion.response_id == Response.id)
                .correlate_except(ResponseExclusion))
    flagged = exists().where(ResponseFlag.response_id == Response.id)
    if kind is None:
        return flagged | excluded
    if kind == EXCLUDED:
        return excluded
    if kind not in anomalies.KINDS:
        raise ServiceError(_("Unknown kind of flag."))
    return flagged.where(ResponseFlag.kind == kind)


def flag_counts(unit_ids: Collection[int] | None, start: datetime | None,
                end: datetime | None) -> FlagCounts:
    """Count the flagged responses in scope by kind, in all, and the excluded ones."""
    return load.flag_counts(db.session, unit_ids=unit_ids, start=start, end=end)


def count_flagged_responses(unit_ids: Collection[int] | None,
                            start: datetime | None, end: datetime | None,
                            kind: str | None = None) -> int:
    """How many lines ``flagged_responses`` has in all (for paging)."""
    return db.session.scalar(select(func.count()).select_from(Response).where(
        *_scope(unit_ids, start, end), _selector(kind))) or 0


def flagged_responses(unit_ids: Collection[int] | None,
                      start: datetime | None, end: datetime | None, kind: str | None = None,
                      limit: int = 50, offset: int = 0) -> list[FlaggedResponse]:
    """List flagged or excluded responses in scope, newest first (``kind``: a flag kind or
    EXCLUDED narrows the list)."""
    rows = db.session.execute(
        select(Response.id, Response.submitted_at, Unit.code.label("unit"),
               Counter.code.label("counter"), ResponseExclusion.response_id.label("excluded"),
               ResponseExclusion.reason)
        .join(Unit, Unit.id == Response.unit_id)
        .outerjoin(Counter, Counter.id == Response.counter_id)
        .outerjoin(ResponseExclusion, ResponseExclusion.response_id == Response.id)
        .where(*_scope(unit_ids, start, end), _selector(kind))
        .order_by(Response.submitted_at.desc(), Response.id.desc())
        .limit(limit).offset(offset)).all()
    kinds: dict[int, list[str]] = {}
    for response_id, flag in db.session.execute(
            select(ResponseFlag.response_id, ResponseFlag.kind)
            .where(ResponseFlag.response_id.in_([r.id for r in rows]))):
        kinds.setdefault(response_id, []).append(flag)
    return [FlaggedResponse(r.id, r.submitted_at, r.unit, r.counter,
                            tuple(sorted(kinds.get(r.id, ()))), r.excluded is not None, r.reason)
            for r in rows]


# ---- the inspector's decisions -------------------------------------------------------------------

def checked_reason(reason: str | None) -> str:
    """The trimmed reason, or ServiceError when it is empty or too long."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Give a reason for excluding these responses."))
    if len(reason) > REASON_MAX_LENGTH:
        raise ServiceError(_("The reason is longer than %(max)d characters.",
                             max=REASON_MAX_LENGTH))
    return reason


def _visible(response_ids: Iterable[int],
             unit_ids: Collection[int]) -> list[int]:
    """The distinct ids, all existing and in ``unit_ids``; else ServiceError (nothing done)."""
    ids = sorted({int(i) for i in response_ids})
    if not ids:
        raise ServiceError(_("Choose at least one response."))
    found = 0
    for start in range(0, len(ids), CHUNK):
        found += db.session.scalar(select(func.count()).select_from(Response).where(
            Response.id.in_(ids[start:start + CHUNK]), Response.unit_id.in_(list(unit_ids)))) or 0
    if found != len(ids):
        raise ServiceError(_("Some of these responses do not exist or are outside your units."))
    return ids


def _insert_exclusions(ids: list[int], reason: str, user: User) -> None:
    now = utcnow()
    for start in range(0, len(ids), CHUNK):
        db.session.execute(insert(ResponseExclusion), [
            {"response_id": i, "reason": reason, "excluded_by_id": user.id, "excluded_at": now}
            for i in ids[start:start + CHUNK]])


def exclude(response_ids: Iterable[int], reason: str, user: User, *,
            unit_ids: Collection[int]) -> int:
    """Exclude these responses (all in ``unit_ids``) with a reason; return how many were not
    excluded already. Audited with the ids and the reason, personal data masked."""
    reason = checked_reason(reason)
    ids = _visible(response_ids, unit_ids)
    already: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        already.update(db.session.scalars(select(ResponseExclusion.response_id).where(
            ResponseExclusion.response_id.in_(ids[start:start + CHUNK]))))
    new = [i for i in ids if i not in already]
    if new:
        _insert_exclusions(new, reason, user)
        audit.record("responses_excluded", actor=user, responses=new,
                     reason=mask_personal_data(reason))
    db.session.flush()
    return len(new)


def include(response_ids: Iterable[int], user: User, *,
            unit_ids: Collection[int]) -> int:
    """Put excluded responses (all in ``unit_ids``) back into the figures; return how many."""
    ids = _visible(response_ids, unit_ids)
    removed: list[int] = []
    for start in range(0, len(ids), CHUNK):
        removed += db.session.scalars(delete(ResponseExclusion).where(
            ResponseExclusion.response_id.in_(ids[start:start + CHUNK]))
            .returning(ResponseExclusion.response_id)).all()
    if removed:
        audit.record("responses_included", actor=user, responses=sorted(removed))
    db.session.flush()
    return len(removed)


def exclude_flagged(kind: str, reason: str, user: User, *,
                    unit_ids: Collection[int], start: datetime | None = None,
                    end: datetime | None = None) -> int:
    """Exclude every response in scope flagged ``kind`` and not excluded yet; return how many."""
    reason = checked_reason(reason)
    if kind not in anomalies.KINDS:
        raise ServiceError(_("Unknown kind of flag."))
    ids = list(db.session.scalars(
        select(Response.id).where(*_scope(unit_ids, start, end), _selector(kind),
                                  ~_selector(EXCLUDED)).order_by(Response.id)))
    if ids:
        _insert_exclusions(ids, reason, user)
        audit.record("responses_excluded", actor=user, responses=ids, flag=kind,
                     reason=mask_personal_data(reason),
                     start=start.isoformat() if start else None,
                     end=end.isoformat() if end else None)
    db.session.flush()
    return len(ids)
