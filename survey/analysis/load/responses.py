"""Response figures: answer counts and respondents per group, comments, names (SQL)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Row,
    RowMapping,
    SQLColumnExpression,
    and_,
    case,
    exists,
    false,
    func,
    or_,
    select,
    text,
)

from survey.analysis.load.session import AnySession
from survey.analysis.rates import SATISFIED_THRESHOLD, Share
from survey.analysis.tally import Tally
from survey.models import (
    Answer,
    Counter,
    Procedure,
    Response,
    ResponseExclusion,
    Unit,
    User,
)

OVERALL = "overall"
LOCAL_ZONE = "Asia/Ho_Chi_Minh"


def _overall_join():
    return and_(Answer.response_id == Response.id, Answer.question_code == OVERALL,
                Answer.value.is_not(None))


def overall_share(session: AnySession, *, start: datetime | None = None,
                  end: datetime | None = None, unit_ids: list[int] | None = None) -> Share:
    """Count ``overall`` answers and the satisfied ones in [start, end) for the given units."""
    query = select(func.count(Answer.value),
                   func.coalesce(func.sum(case((Answer.value >= SATISFIED_THRESHOLD, 1),
                                               else_=0)), 0)
                   ).select_from(Response).join(Answer, _overall_join())
    n, satisfied = session.execute(_scoped(query, start, end, unit_ids)).one()
    return Share(n=int(n), satisfied=int(satisfied))


def period_counts(session: AnySession, periods: dict[str, datetime]) -> list[dict]:
    """Per unit and counter: responses and the overall share since each period's start.

    ``periods`` maps a name ("today", "month", "year") to its start; the earliest start bounds the
    scan, and one pass with conditional sums counts them all.
    """
    earliest = min(periods.values())
    columns: list[SQLColumnExpression[Any]] = [Response.unit_id, Response.counter_id]
    for name, start in periods.items():
        since = Response.submitted_at >= start
        columns += [
            func.sum(case((since, 1), else_=0)).label(f"{name}_responses"),
            func.sum(case((and_(since, Answer.value.is_not(None)), 1), else_=0)).label(f"{name}_n"),
            func.sum(case((and_(since, Answer.value >= SATISFIED_THRESHOLD), 1), else_=0))
            .label(f"{name}_satisfied"),
        ]
    query = (select(*columns).select_from(Response)
             .outerjoin(Answer, and_(Answer.response_id == Response.id,
                                     Answer.question_code == OVERALL))
             .where(Response.submitted_at >= earliest)
             .group_by(Response.unit_id, Response.counter_id))
    rows = []
    for row in session.execute(query).mappings():
        item = {"unit_id": row["unit_id"], "counter_id": row["counter_id"]}
        for name in periods:
            item[name] = {"responses": int(row[f"{name}_responses"] or 0),
                          "share": Share(int(row[f"{name}_n"] or 0),
                                         int(row[f"{name}_satisfied"] or 0))}
        rows.append(item)
    return rows


# --- Index methods: answer counts per group, the unit tree, case counts -------------------------
# Vietnam has kept UTC+7 without daylight saving since 1975, so a fixed +7 h shift gives the local
# date of any stored instant. Each dialect spells it its own way; the rest of the query is shared.

def local_date(column, dialect: str):
    """SQL for the Asia/Ho_Chi_Minh date of a UTC timestamp column."""
    if dialect == "postgresql":
        return func.date(func.timezone(LOCAL_ZONE, column))
    return func.date(column, "+7 hours")


def local_month(column, dialect: str):
    """SQL for the Asia/Ho_Chi_Minh month of a UTC timestamp column; ``month_text`` reads it.

    It runs once per answer counted, so the cheapest spelling wins: on PostgreSQL a truncated
    timestamp (a third of the time of ``to_char`` with a named zone), on SQLite ``YYYY-MM`` text.
    """
    if dialect == "postgresql":
        return func.date_trunc("month", func.timezone("UTC", column) + text("interval '7 hours'"))
    return func.strftime("%Y-%m", column, "+7 hours")


def month_text(value) -> str:
    """A ``local_month`` value as ``YYYY-MM``."""
    return value.strftime("%Y-%m") if isinstance(value, datetime) else value


_GROUP_SOURCES = {"unit": "unit_id", "counter": "counter_id", "procedure": "procedure_id",
                  "officer": "officer_id", "channel": "channel", "month": "submitted_at",
                  "quarter": "submitted_at", "year": "submitted_at"}


def _group_column(by: str | None, dialect: str, columns=Response):
    """The group key of ``by`` over ``columns``: the Response model or a subquery's ``.c``."""
    if by is None:
        return None
    column = getattr(columns, _GROUP_SOURCES[by])
    if by in ("month", "quarter", "year"):  # counted per month in SQL, regrouped in Python
        return local_month(column, dialect)
    return column


def _scoped(query, start: datetime | None, end: datetime | None, unit_ids: list[int] | None,
            without_excluded: bool = False, counter_id: int | None = None,
            procedure_id: int | None = None):
    if counter_id is not None:
        query = query.where(Response.counter_id == counter_id)
    if procedure_id is not None:
        query = query.where(Response.procedure_id == procedure_id)
    if without_excluded:  # the figures an inspector sees after setting suspicious responses aside
        query = query.where(~exists().where(ResponseExclusion.response_id == Response.id))
    if start is not None:
        query = query.where(Response.submitted_at >= start)
    if end is not None:
        query = query.where(Response.submitted_at < end)
    if unit_ids is not None:
        query = query.where(Response.unit_id.in_(unit_ids))
    return query


def answer_tallies(session: AnySession, *, codes: list[str], sets: dict[str, list[str]],
                   start: datetime | None = None, end: datetime | None = None,
                   unit_ids: list[int] | None = None, by: str | None = None,
                   by_month: bool = False, without_excluded: bool = False,
                   counter_id: int | None = None, procedure_id: int | None = None) -> dict:
    """Per group key: answer counts per (question, value) and distinct respondents per set.

    Two GROUP BY queries; the rows returned are at most groups × questions × scale values.
    With ``by_month`` the key is ``(group or None, "YYYY-MM")``: one pass then serves the whole,
    the months and the groups, which are its sums (a response lies in one group and one month).
    """
    if by_month and by in ("month", "quarter", "year"):
        raise ValueError("by_month goes with a group that is not a period")
    dialect = session.get_bind().dialect.name
    group = _group_column(by, dialect)
    keys = [] if group is None else [group.label("g")]
    if by_month:
        keys.append(local_month(Response.submitted_at, dialect).label("m"))
    filters = (start, end, unit_ids, without_excluded, counter_id, procedure_id)
    counts = _scoped(select(*keys, Answer.question_code, Answer.value, func.count().label("c"))
                     .select_from(Response).join(Answer, and_(Answer.response_id == Response.id,
                                                              Answer.question_code.in_(codes))),
                     *filters).group_by(*keys, Answer.question_code, Answer.value)
    tallies: dict = {}
    for row in session.execute(counts).mappings():
        tally = tallies.setdefault(_key(row, group, by_month), Tally())
        tally.answers.setdefault(row["question_code"], {})[row["value"]] = int(row["c"])
    rows: Iterable[RowMapping] = session.execute(
        _respondents_query(sets, by, dialect, filters, by_month)).mappings() \
        if any(sets.values()) else []
    for row in rows:
        tally = tallies.setdefault(_key(row, group, by_month), Tally())
        tally.respondents.update({name: int(row[f"s{i}"]) for i, name in enumerate(sets)})
    for tally in tallies.values():  # a group whose answers fall in no set has none of them
        for name in sets:
            tally.respondents.setdefault(name, 0)
    return tallies


_MASK_BITS = 31  # codes per mask column: 1 << 30 is still an INTEGER, whose sum is a BIGINT


def _respondents_query(sets: dict[str, list[str]], by: str | None, dialect: str, filters: tuple,
                       by_month: bool = False):
    """Distinct respondents per set: one bit mask of codes answered per response, then counts.

    A response answers each code at most once (the answers' primary key), so the sum of its
    codes' bits is their OR. Cheaper than count(DISTINCT ...) per set, which sorts every answer
    once per set and gets no parallel plan on PostgreSQL. The group key is computed once per
    response, outside, from the response's column (functionally dependent on its id).
    """
    source = [] if by is None else [getattr(Response, _GROUP_SOURCES[by])]
    if by_month:
        source.append(Response.submitted_at.label("month_source"))
    members = list(dict.fromkeys(code for codes in sets.values() for code in codes))
    chunks = [members[i:i + _MASK_BITS] for i in range(0, len(members), _MASK_BITS)]
    masks = [func.sum(case({code: 1 << bit for bit, code in enumerate(chunk)},
                           value=Answer.question_code, else_=0)).label(f"m{j}")
             for j, chunk in enumerate(chunks)]
    per_response = _scoped(select(*source, *masks).select_from(Response).join(
        Answer, and_(Answer.response_id == Response.id, Answer.question_code.in_(members))),
        *filters).group_by(Response.id).subquery()  # the source depends on the id (PK)
    sums = []
    for i, codes in enumerate(sets.values()):
        answered = [per_response.c[f"m{j}"].op("&")(bits) != 0
                    for j, chunk in enumerate(chunks)
                    if (bits := sum(1 << b for b, c in enumerate(chunk) if c in codes))]
        sums.append(func.count(case((or_(false(), *answered), 1))).label(f"s{i}"))
    group = [] if by is None else [_group_column(by, dialect, per_response.c).label("g")]
    if by_month:
        group.append(local_month(per_response.c.month_source, dialect).label("m"))
    return select(*group, *sums).group_by(*group)


def _key(row, group, by_month: bool = False):
    value = None if group is None else month_text(row["g"])
    value = getattr(value, "value", value)  # a Channel enum as its stored text
    if by_month:
        return (value, month_text(row["m"]))
    return () if group is None else value


def unit_parents(session: AnySession) -> dict[int, int | None]:
    """The whole unit tree as id -> parent id (one small row per unit)."""
    return dict(session.execute(select(Unit.id, Unit.parent_id)).all())


def group_labels(session: AnySession, by: str, ids: list) -> dict:
    """Codes to show for grouped ids (unit, counter and procedure codes, officer usernames)."""
    column = {"unit": Unit.code, "counter": Counter.code, "procedure": Procedure.code,
              "officer": User.username}.get(by)
    ids = [i for i in ids if i is not None]
    if column is None or not ids:
        return {}
    model = column.class_
    return dict(session.execute(select(model.id, column).where(model.id.in_(ids))).all())


# --- The inspector's desk: exclusions and comments in a scope ----------------------------------

def excluded_count(session: AnySession, *, start: datetime | None = None,
                   end: datetime | None = None, unit_ids: list[int] | None = None,
                   counter_id: int | None = None, procedure_id: int | None = None,
                   without_excluded: bool = False) -> int:
    """How many responses of the scope inspectors have excluded."""
    query = select(func.count()).select_from(Response).join(
        ResponseExclusion, ResponseExclusion.response_id == Response.id)
    query = _scoped(query, start, end, unit_ids, False, counter_id, procedure_id)
    return int(session.execute(query).scalar_one())


def comments(session: AnySession, *, limit: int, offset: int = 0, start: datetime | None = None,
             end: datetime | None = None, unit_ids: list[int] | None = None,
             counter_id: int | None = None, procedure_id: int | None = None,
             without_excluded: bool = False) -> tuple[int, Sequence[Row[Any]]]:
    """The scope's comments, newest first, one page of them, and how many there are in all.

    Rows carry the response id, time, unit and counter names and the raw comment: the caller
    masks personal data before anything is shown.
    """
    written = and_(Response.comment.is_not(None), Response.comment != "")
    total = select(func.count()).select_from(Response).where(written)
    total = _scoped(total, start, end, unit_ids, without_excluded, counter_id, procedure_id)
    page = (select(Response.id, Response.submitted_at, Unit.name.label("unit"),
                   Counter.name.label("counter"), Response.comment)
            .select_from(Response).join(Unit, Unit.id == Response.unit_id)
            .outerjoin(Counter, Counter.id == Response.counter_id).where(written)
            .order_by(Response.submitted_at.desc(), Response.id.desc())
            .limit(limit).offset(offset))
    page = _scoped(page, start, end, unit_ids, without_excluded, counter_id, procedure_id)
    return int(session.execute(total).scalar_one()), session.execute(page).all()


def display_names(session: AnySession, by: str, codes: list) -> dict:
    """Names to show for grouped codes: unit, counter and procedure names, officers' names."""
    pairs = {"unit": (Unit.code, Unit.name), "counter": (Counter.code, Counter.name),
             "procedure": (Procedure.code, Procedure.name),
             "officer": (User.username, User.display_name)}.get(by)
    codes = [code for code in codes if code is not None]
    if pairs is None or not codes:
        return {}
    code, name = pairs
    return dict(session.execute(select(code, name).where(code.in_(codes))).all())


# --- The annual report: responses per channel, case statistics per kind -----------------------

def response_counts(session: AnySession, *, start: datetime | None = None,
                    end: datetime | None = None,
                    unit_ids: list[int] | None = None) -> dict[str, dict[str, int]]:
    """Per channel: the scope's responses, and how many of them inspectors excluded."""
    query = (select(Response.channel, func.count(), func.count(ResponseExclusion.response_id))
             .select_from(Response)
             .outerjoin(ResponseExclusion, ResponseExclusion.response_id == Response.id)
             .group_by(Response.channel))
    rows = session.execute(_scoped(query, start, end, unit_ids)).all()
    return {getattr(channel, "value", channel): {"responses": int(n), "excluded": int(excluded)}
            for channel, n, excluded in rows}
