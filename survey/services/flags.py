"""Anomaly flags and exclusions: the detector fed from the database, and the inspector's verbs.

``detect`` reads only the responses added since the last scan (``FlagScan``), as plain columns in
chunks (never ORM objects), and runs the pure rules of ``survey.analysis.anomalies`` on them. For
each counter it re-reads the neighbours of its new responses first (the burst window before and
after, and the last few responses of an identical run), so a burst or a run across the boundary
of two scans is found; an older response that joins one is flagged then. Flags are inserted with
"on conflict do nothing", so a scan run twice (or concurrently) flags nothing twice.

A scan reads ids up to the largest committed one; a response committed later with a smaller id
(a transaction still open during the scan) is read by the next scan only as a neighbour.
Responses are not deleted in operation; if the newest ones were, SQLite would hand their ids out
again, so a scan that finds a largest id below the last one read starts over from the first.

Flags never delete anything. ``exclude`` and ``include`` record the inspector's decision (reason
required, audited) and the index leaves excluded responses out of its "without excluded"
figures. Every verb flushes and never commits: the caller commits once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from flask_babel import gettext as _
from sqlalchemy import delete, distinct, exists, func, insert, select, tuple_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from survey import workdays
from survey.analysis import anomalies
from survey.analysis.anomalies import Record
from survey.masking import mask_personal_data
from survey.models import Answer, CalendarOverride, Counter, DayKind, Response, Unit, User
from survey.models.base import utcnow
from survey.models.quality import FlagScan, ResponseExclusion, ResponseFlag
from survey.models.questionnaires import QuestionnaireVersion
from survey.models.responses import Channel
from survey.periods import LOCAL_TZ
from survey.services import ServiceError, audit

CHUNK = 5000
REASON_MAX_LENGTH = 500
EXCLUDED = "excluded"  # the filter of flagged_responses that lists the excluded responses
_INSERT_FLAG = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}


@dataclass(frozen=True)
class ScanReport:
    scanned: int  # new responses read
    flagged: int  # flags added (a response with two kinds counts twice)


@dataclass(frozen=True)
class FlagCounts:
    by_kind: dict[str, int]  # every kind, 0 included
    flagged: int  # responses with at least one flag
    excluded: int  # responses excluded by an inspector


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


@lru_cache(maxsize=1)
def default_rules() -> anomalies.Rules:
    return anomalies.load_rules()


# ---- detection ----------------------------------------------------------------------------------

def detect(session: Session, *, rules: anomalies.Rules | None = None,
           chunk_size: int = CHUNK) -> ScanReport:
    """Flag the responses added since the last scan (and neighbours that join their anomalies)."""
    rules = rules or default_rules()
    scan = session.scalar(select(FlagScan).where(FlagScan.id == 1).with_for_update())
    if scan is None:
        scan = FlagScan(id=1, last_response_id=0)
        session.add(scan)
    top = session.scalar(select(func.max(Response.id))) or 0
    if top < scan.last_response_id:  # the newest responses were deleted and ids are reused
        scan.last_response_id = 0  # (SQLite): read everything again, flags are idempotent
    scanned = flagged = 0
    if top > scan.last_response_id:
        new = (Response.id > scan.last_response_id, Response.id <= top)
        groups = session.execute(
            select(Response.counter_id, func.min(Response.submitted_at),
                   func.max(Response.submitted_at), func.count())
            .where(*new).group_by(Response.counter_id)).all()
        closures = calendar_closures(
            session, min((g[1] for g in groups), default=utcnow()).astimezone(LOCAL_TZ).date(),
            max((g[2] for g in groups), default=utcnow()).astimezone(LOCAL_TZ).date())
        sizes = _version_sizes(session)
        for counter_id, first, latest, count in groups:
            scanned += count
            if counter_id is None:  # no counter: no burst, no run, only the opening hours
                conditions = [Response.counter_id.is_(None), *new]
            else:
                lower, upper = _bounds(session, counter_id, first, latest, rules)
                conditions = [Response.counter_id == counter_id,
                              Response.submitted_at >= lower, Response.submitted_at <= upper]
            flagged += _scan(session, _records(session, conditions, rules, sizes, chunk_size),
                             rules, closures)
        scan.last_response_id = top
    scan.finished_at = utcnow()
    session.flush()
    return ScanReport(scanned, flagged)


def _scan(session: Session, chunks: Iterator[list[Record]], rules: anomalies.Rules,
          closures: anomalies.Closures) -> int:
    """Flag one counter's records, chunk by chunk; return the flags added."""
    added, carry = 0, []
    for chunk in chunks:
        records = carry + chunk
        added += add_flags(session, anomalies.find_anomalies(records, rules, closures))
        carry = anomalies.carry_over(records, rules)
    return added


def calendar_closures(session: Session, first: date, last: date) -> anomalies.Closures:
    """Days off and make-up working days around these local dates, with the admin's overrides."""
    years = range(first.year - 1, last.year + 1)  # a look-back may reach the year before
    overrides = session.execute(select(CalendarOverride.day, CalendarOverride.kind).where(
        CalendarOverride.day.between(date(years[0], 1, 1), date(years[-1], 12, 31))))
    off, working = [], []
    for day, kind in overrides:
        (off if kind is DayKind.DAY_OFF else working).append(day)
    calendar = workdays.vietnam_calendar(years, extra_days_off=off, makeup_working_days=working)
    return anomalies.Closures(calendar.days_off, calendar.working_weekend_days)


def _bounds(session: Session, counter_id: int, first: datetime, latest: datetime,
            rules: anomalies.Rules) -> tuple[datetime, datetime]:
    """The span of a counter's responses to read around its new ones (from ``first`` to
    ``latest``): the burst window, and enough responses for a run, on each side."""
    reach = timedelta(minutes=rules.burst.within_minutes if rules.burst.enabled else 0)
    lower, upper = first - reach, latest + reach
    run = rules.identical_run
    if run.enabled and run.min_responses > 1:
        at_counter = select(Response.submitted_at).where(
            Response.counter_id == counter_id,
            Response.channel.in_([Channel(c) for c in run.channels])).limit(run.min_responses - 1)
        before = session.scalars(at_counter.where(Response.submitted_at < first)
                                 .order_by(Response.submitted_at.desc())).all()
        after = session.scalars(at_counter.where(Response.submitted_at > latest)
                                .order_by(Response.submitted_at)).all()
        lower, upper = min([lower, *before]), max([upper, *after])
    return lower, upper


def _version_sizes(session: Session) -> dict[int, int]:
    """The number of questions of each questionnaire version."""
    return {id_: len(definition["questions"]) for id_, definition in session.execute(
        select(QuestionnaireVersion.id, QuestionnaireVersion.definition))}


def _records(session: Session, conditions: list, rules: anomalies.Rules, sizes: dict[int, int],
             chunk_size: int) -> Iterator[list[Record]]:
    """Yield the matching responses as Records, in time order, ``chunk_size`` at a time."""
    run = rules.identical_run
    query = (select(Response.id, Response.counter_id, Response.channel, Response.submitted_at,
                    Response.questionnaire_version_id)
             .where(*conditions).order_by(Response.submitted_at, Response.id).limit(chunk_size))
    after = None
    while True:
        page = query if after is None else query.where(
            tuple_(Response.submitted_at, Response.id) > tuple_(*after))
        rows = session.connection().execute(page).all()  # Core: no ORM row processing
        if not rows:
            return
        # Answers matter only to the run rule, and only on forms long enough for it.
        answers = _answers(session, [
            r.id for r in rows if run.enabled and r.channel.value in run.channels
            and sizes.get(r.questionnaire_version_id, 0) >= run.min_answers])
        yield [Record(r.id, r.counter_id, r.channel.value, r.submitted_at,
                      r.questionnaire_version_id, answers.get(r.id, ())) for r in rows]
        after = (rows[-1].submitted_at, rows[-1].id)


def _answers(session: Session, ids: list[int]) -> dict[int, tuple[tuple[str, int | None], ...]]:
    found: dict[int, list[tuple[str, int | None]]] = {}
    if ids:
        for response_id, code, value in session.connection().execute(
                select(Answer.response_id, Answer.question_code, Answer.value)
                .where(Answer.response_id.in_(ids))):
            found.setdefault(response_id, []).append((code, value))
    return {response_id: tuple(sorted(items)) for response_id, items in found.items()}


def add_flags(session: Session, found: dict[int, set[str]]) -> int:
    """Insert the flags not stored yet; return how many were added."""
    if not found:
        return 0
    stored = set(session.execute(select(ResponseFlag.response_id, ResponseFlag.kind)
                                 .where(ResponseFlag.response_id.in_(list(found)))).all())
    missing = sorted({(i, kind) for i, kinds in found.items() for kind in kinds} - stored)
    if missing:
        statement = _INSERT_FLAG[session.get_bind().dialect.name](ResponseFlag)
        now = utcnow()
        session.execute(statement.on_conflict_do_nothing(), [
            {"response_id": i, "kind": kind, "flagged_at": now} for i, kind in missing])
    return len(missing)


def flag_response(session: Session, response_id: int, kind: str) -> None:
    """Flag one response (the submission path: ``repeat_browser``)."""
    add_flags(session, {response_id: {kind}})


# ---- what the inspector sees ---------------------------------------------------------------------

def _scope(unit_ids: Collection[int] | None, start: datetime | None,
           end: datetime | None) -> list:
    conditions = [Response.unit_id.in_(list(unit_ids))] if unit_ids is not None else []
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


def flag_counts(session: Session, unit_ids: Collection[int] | None, start: datetime | None,
                end: datetime | None) -> FlagCounts:
    """Count the flagged responses in scope by kind, in all, and the excluded ones."""
    scope = _scope(unit_ids, start, end)
    joined = select().select_from(ResponseFlag).join(Response,
                                                     Response.id == ResponseFlag.response_id)
    by_kind = dict.fromkeys(anomalies.KINDS, 0) | dict(session.execute(
        joined.add_columns(ResponseFlag.kind, func.count()).where(*scope)
        .group_by(ResponseFlag.kind)).all())
    flagged = session.scalar(
        joined.add_columns(func.count(distinct(ResponseFlag.response_id))).where(*scope))
    excluded = session.scalar(
        select(func.count()).select_from(ResponseExclusion)
        .join(Response, Response.id == ResponseExclusion.response_id).where(*scope))
    return FlagCounts(by_kind, flagged or 0, excluded or 0)


def count_flagged_responses(session: Session, unit_ids: Collection[int] | None,
                            start: datetime | None, end: datetime | None,
                            kind: str | None = None) -> int:
    """How many lines ``flagged_responses`` has in all (for paging)."""
    return session.scalar(select(func.count()).select_from(Response).where(
        *_scope(unit_ids, start, end), _selector(kind))) or 0


def flagged_responses(session: Session, unit_ids: Collection[int] | None,
                      start: datetime | None, end: datetime | None, kind: str | None = None,
                      limit: int = 50, offset: int = 0) -> list[FlaggedResponse]:
    """List flagged or excluded responses in scope, newest first (``kind``: a flag kind or
    EXCLUDED narrows the list)."""
    rows = session.execute(
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
    for response_id, flag in session.execute(
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


def _visible(session: Session, response_ids: Iterable[int],
             unit_ids: Collection[int]) -> list[int]:
    """The distinct ids, all existing and in ``unit_ids``; else ServiceError (nothing done)."""
    ids = sorted({int(i) for i in response_ids})
    if not ids:
        raise ServiceError(_("Choose at least one response."))
    found = 0
    for start in range(0, len(ids), CHUNK):
        found += session.scalar(select(func.count()).select_from(Response).where(
            Response.id.in_(ids[start:start + CHUNK]), Response.unit_id.in_(list(unit_ids))))
    if found != len(ids):
        raise ServiceError(_("Some of these responses do not exist or are outside your units."))
    return ids


def _insert_exclusions(session: Session, ids: list[int], reason: str, user: User) -> None:
    now = utcnow()
    for start in range(0, len(ids), CHUNK):
        session.execute(insert(ResponseExclusion), [
            {"response_id": i, "reason": reason, "excluded_by_id": user.id, "excluded_at": now}
            for i in ids[start:start + CHUNK]])


def exclude(session: Session, response_ids: Iterable[int], reason: str, user: User, *,
            unit_ids: Collection[int]) -> int:
    """Exclude these responses (all in ``unit_ids``) with a reason; return how many were not
    excluded already. Audited with the ids and the reason, personal data masked."""
    reason = checked_reason(reason)
    ids = _visible(session, response_ids, unit_ids)
    already = set()
    for start in range(0, len(ids), CHUNK):
        already.update(session.scalars(select(ResponseExclusion.response_id).where(
            ResponseExclusion.response_id.in_(ids[start:start + CHUNK]))))
    new = [i for i in ids if i not in already]
    if new:
        _insert_exclusions(session, new, reason, user)
        audit.record("responses_excluded", actor=user, responses=new,
                     reason=mask_personal_data(reason))
    session.flush()
    return len(new)


def include(session: Session, response_ids: Iterable[int], user: User, *,
            unit_ids: Collection[int]) -> int:
    """Put excluded responses (all in ``unit_ids``) back into the figures; return how many."""
    ids = _visible(session, response_ids, unit_ids)
    removed: list[int] = []
    for start in range(0, len(ids), CHUNK):
        removed += session.scalars(delete(ResponseExclusion).where(
            ResponseExclusion.response_id.in_(ids[start:start + CHUNK]))
            .returning(ResponseExclusion.response_id)).all()
    if removed:
        audit.record("responses_included", actor=user, responses=sorted(removed))
    session.flush()
    return len(removed)


def exclude_flagged(session: Session, kind: str, reason: str, user: User, *,
                    unit_ids: Collection[int], start: datetime | None = None,
                    end: datetime | None = None) -> int:
    """Exclude every response in scope flagged ``kind`` and not excluded yet; return how many."""
    reason = checked_reason(reason)
    if kind not in anomalies.KINDS:
        raise ServiceError(_("Unknown kind of flag."))
    ids = list(session.scalars(
        select(Response.id).where(*_scope(unit_ids, start, end), _selector(kind),
                                  ~_selector(EXCLUDED)).order_by(Response.id)))
    if ids:
        _insert_exclusions(session, ids, reason, user)
        audit.record("responses_excluded", actor=user, responses=ids, flag=kind,
                     reason=mask_personal_data(reason),
                     start=start.isoformat() if start else None,
                     end=end.isoformat() if end else None)
    session.flush()
    return len(ids)
