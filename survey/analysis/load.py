"""The one place that runs SQL for the analysis: GROUP BY in the database, small rows out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from survey.analysis.rates import SATISFIED_THRESHOLD, Share
from survey.models import Answer, Response

OVERALL = "overall"


def _overall_join():
    return and_(Answer.response_id == Response.id, Answer.question_code == OVERALL,
                Answer.value.is_not(None))


def overall_share(session: Session, *, start: datetime | None = None, end: datetime | None = None,
                  unit_ids: list[int] | None = None) -> Share:
    """Count ``overall`` answers and the satisfied ones in [start, end) for the given units."""
    query = select(func.count(Answer.value),
                   func.coalesce(func.sum(case((Answer.value >= SATISFIED_THRESHOLD, 1), else_=0)), 0)
                   ).select_from(Response).join(Answer, _overall_join())
    if start is not None:
        query = query.where(Response.submitted_at >= start)
    if end is not None:
        query = query.where(Response.submitted_at < end)
    if unit_ids is not None:
        query = query.where(Response.unit_id.in_(unit_ids))
    n, satisfied = session.execute(query).one()
    return Share(n=int(n), satisfied=int(satisfied))


def period_counts(session: Session, periods: dict[str, datetime]) -> list[dict]:
    """Per unit and counter: responses and the overall share since each period's start.

    ``periods`` maps a name ("today", "month", "year") to its start; the earliest start bounds the
    scan, and one pass with conditional sums counts them all.
    """
    earliest = min(periods.values())
    columns = [Response.unit_id, Response.counter_id]
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
                          "share": Share(int(row[f"{name}_n"] or 0), int(row[f"{name}_satisfied"] or 0))}
        rows.append(item)
    return rows
