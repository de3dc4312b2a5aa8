"""Anomaly flags: the detector fed from the database (the rules are in survey.analysis.anomalies).

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

Flags never delete anything: what inspectors decide about flagged responses is in
``survey.services.exclusions``. Every function flushes and never commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from sqlalchemy import func, select, tuple_
from sqlalchemy.dialects.postgresql import Insert as PostgreSQLInsert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import Insert as SQLiteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from survey.analysis import anomalies
from survey.analysis.anomalies import Record
from survey.extensions import db
from survey.models import Answer, CalendarOverride, DayKind, Response
from survey.models.base import utcnow
from survey.models.quality import FlagScan, ResponseFlag
from survey.models.questionnaires import QuestionnaireVersion
from survey.models.responses import Channel
from survey.rules import workdays
from survey.rules.periods import LOCAL_TZ

CHUNK = 5000
# Typed as either dialect's Insert: their common base has no on_conflict_do_nothing.
_INSERT_FLAG: dict[str, Callable[[type[ResponseFlag]], SQLiteInsert | PostgreSQLInsert]] = {
    "sqlite": sqlite_insert, "postgresql": postgresql_insert}


@dataclass(frozen=True)
class ScanReport:
    scanned: int  # new responses read
    flagged: int  # flags added (a response with two kinds counts twice)


RULES_PATH = Path(__file__).resolve().parent.parent / "rulebooks" / "anomaly_rules.yaml"


def load_rules(path: Path = RULES_PATH) -> anomalies.Rules:
    """Read and check an anomaly rules file (the shipped one by default)."""
    return anomalies.read_rules(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def default_rules() -> anomalies.Rules:
    return load_rules()


# ---- detection ----------------------------------------------------------------------------------

def detect(*, rules: anomalies.Rules | None = None,
           chunk_size: int = CHUNK) -> ScanReport:
    """Flag the responses added since the last scan (and neighbours that join their anomalies)."""
    rules = rules or default_rules()
    scan = db.session.scalar(select(FlagScan).where(FlagScan.id == 1).with_for_update())
    if scan is None:
        scan = FlagScan(id=1, last_response_id=0)
        db.session.add(scan)
    top = db.session.scalar(select(func.max(Response.id))) or 0
    if top < scan.last_response_id:  # the newest responses were deleted and ids are reused
        scan.last_response_id = 0  # (SQLite): read everything again, flags are idempotent
    scanned = flagged = 0
    if top > scan.last_response_id:
        new = (Response.id > scan.last_response_id, Response.id <= top)
        groups = db.session.execute(
            select(Response.counter_id, func.min(Response.submitted_at),
                   func.max(Response.submitted_at), func.count())
            .where(*new).group_by(Response.counter_id)).all()
        closures = calendar_closures(
            min((g[1] for g in groups), default=utcnow()).astimezone(LOCAL_TZ).date(),
            max((g[2] for g in groups), default=utcnow()).astimezone(LOCAL_TZ).date())
        sizes = _version_sizes()
        for counter_id, first, latest, count in groups:
            scanned += count
            if counter_id is None:  # no counter: no burst, no run, only the opening hours
                conditions = [Response.counter_id.is_(None), *new]
            else:
                lower, upper = _bounds(counter_id, first, latest, rules)
                conditions = [Response.counter_id == counter_id,
                              Response.submitted_at >= lower, Response.submitted_at <= upper]
            flagged += _scan(_records(conditions, rules, sizes, chunk_size),
                             rules, closures)
        scan.last_response_id = top
    scan.finished_at = utcnow()
    db.session.flush()
    return ScanReport(scanned, flagged)


def _scan(chunks: Iterator[list[Record]], rules: anomalies.Rules,
          closures: anomalies.Closures) -> int:
    """Flag one counter's records, chunk by chunk; return the flags added."""
    added = 0
    carry: list[Record] = []
    for chunk in chunks:
        records = carry + chunk
        added += add_flags(anomalies.find_anomalies(records, rules, closures))
        carry = anomalies.carry_over(records, rules)
    return added


def calendar_closures(first: date, last: date) -> anomalies.Closures:
    """Days off and make-up working days around these local dates, with the admin's overrides."""
    years = range(first.year - 1, last.year + 1)  # a look-back may reach the year before
    overrides = db.session.execute(select(CalendarOverride.day, CalendarOverride.kind).where(
        CalendarOverride.day.between(date(years[0], 1, 1), date(years[-1], 12, 31))))
    off: list[date] = []
    working: list[date] = []
    for day, kind in overrides:
        (off if kind is DayKind.DAY_OFF else working).append(day)
    calendar = workdays.vietnam_calendar(years, extra_days_off=off, makeup_working_days=working)
    return anomalies.Closures(calendar.days_off, calendar.working_weekend_days)


def _bounds(counter_id: int, first: datetime, latest: datetime,
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
        before = db.session.scalars(at_counter.where(Response.submitted_at < first)
                                    .order_by(Response.submitted_at.desc())).all()
        after = db.session.scalars(at_counter.where(Response.submitted_at > latest)
                                   .order_by(Response.submitted_at)).all()
        lower, upper = min([lower, *before]), max([upper, *after])
    return lower, upper


def _version_sizes() -> dict[int, int]:
    """The number of questions of each questionnaire version."""
    return {id_: len(definition["questions"]) for id_, definition in db.session.execute(
        select(QuestionnaireVersion.id, QuestionnaireVersion.definition))}


def _records(conditions: list, rules: anomalies.Rules, sizes: dict[int, int],
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
        rows = db.session.connection().execute(page).all()  # Core: no ORM row processing
        if not rows:
            return
        # Answers matter only to the run rule, and only on forms long enough for it.
        answers = _answers([
            r.id for r in rows if run.enabled and r.channel.value in run.channels
            and sizes.get(r.questionnaire_version_id, 0) >= run.min_answers])
        yield [Record(r.id, r.counter_id, r.channel.value, r.submitted_at,
                      r.questionnaire_version_id, answers.get(r.id, ())) for r in rows]
        after = (rows[-1].submitted_at, rows[-1].id)


def _answers(ids: list[int]) -> dict[int, tuple[tuple[str, int | None], ...]]:
    found: dict[int, list[tuple[str, int | None]]] = {}
    if ids:
        for response_id, code, value in db.session.connection().execute(
                select(Answer.response_id, Answer.question_code, Answer.value)
                .where(Answer.response_id.in_(ids))):
            found.setdefault(response_id, []).append((code, value))
    return {response_id: tuple(sorted(items)) for response_id, items in found.items()}


def add_flags(found: dict[int, set[str]]) -> int:
    """Insert the flags not stored yet; return how many were added."""
    if not found:
        return 0
    stored = set(db.session.execute(select(ResponseFlag.response_id, ResponseFlag.kind)
                                    .where(ResponseFlag.response_id.in_(list(found)))).all())
    missing = sorted({(i, kind) for i, kinds in found.items() for kind in kinds} - stored)
    if missing:
        statement = _INSERT_FLAG[db.session.get_bind().dialect.name](ResponseFlag)
        now = utcnow()
        db.session.execute(statement.on_conflict_do_nothing(), [
            {"response_id": i, "kind": kind, "flagged_at": now} for i, kind in missing])
    return len(missing)


def flag_response(response_id: int, kind: str) -> None:
    """Flag one response (the submission path: ``repeat_browser``)."""
    add_flags({response_id: {kind}})


# ---- what the inspector sees ---------------------------------------------------------------------
