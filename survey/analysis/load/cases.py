"""The SQL for case figures: Decision 766 counts and the annual report's statistics per kind.

Like ``load`` for responses, one pass with conditional sums; only counts leave the database,
nothing about any person.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, case, exists, func, or_, select, true

from survey.analysis.load.responses import local_date
from survey.analysis.load.session import AnySession
from survey.analysis.qd766 import CaseCounts
from survey.models import Case, CaseState, Milestone


def case_counts(session: AnySession, *, start_day: date | None, end_day: date | None,
                start: datetime | None, end: datetime | None,
                unit_ids: list[int] | None = None) -> CaseCounts:
    """Count the Decision 766 case figures in one pass with conditional sums."""
    dialect = session.get_bind().dialect.name
    met_day = local_date(func.coalesce(Milestone.met_at, Case.resolved_at), dialect)
    due_in = and_(true(), *([Milestone.due >= start_day] if start_day else []),
                  *([Milestone.due <= end_day] if end_day else []))
    resolved_in = and_(true(), Case.resolved_at.is_not(None),
                       *([Case.resolved_at >= start] if start else []),
                       *([Case.resolved_at < end] if end else []))
    late = and_(Milestone.id.is_not(None), met_day > Milestone.due)
    bad = or_(Case.citizen_satisfied.is_(False), Case.reopened_count > 0, late)
    query = (select(_count_if(and_(Milestone.id.is_not(None), due_in)),
                    _count_if(and_(Milestone.id.is_not(None), due_in, Case.resolved_at.is_not(None),
                                   met_day <= Milestone.due)),
                    _count_if(resolved_in), _count_if(and_(resolved_in, bad)))
             .select_from(Case)
             .outerjoin(Milestone, and_(Milestone.case_id == Case.id, Milestone.name == "resolve"))
             .where(_within_competence(), ~_ended_without_answer()))
    if unit_ids is not None:
        query = query.where(func.coalesce(Case.handling_unit_id, Case.unit_id).in_(unit_ids))
    return CaseCounts(*(int(v or 0) for v in session.execute(query).one()))


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _within_competence():
    # Refused and forwarded cases are outside competence; a closed case that was never resolved
    # can only have been closed after a refusal or forwarding (the workflow allows nothing else).
    outside = or_(Case.state.in_([CaseState.REFUSED, CaseState.FORWARDED]),
                  and_(Case.state == CaseState.CLOSED, Case.resolved_at.is_(None)))
    return ~outside


def _ended_without_answer():
    # Withdrawn by the citizen or terminated (Law 136/2025/QH15): no answer was owed any more,
    # so such a case is neither late nor still open.
    return Case.state.in_([CaseState.WITHDRAWN, CaseState.TERMINATED])


def case_statistics(session: AnySession, *, start: datetime, end: datetime, overdue_before: date,
                    unit_ids: list[int] | None = None) -> dict[str, dict[str, int]]:
    """Per kind of case: received, outside competence, resolved, on time, late, open and overdue.

    Received and resolved count what happened in [start, end); a resolved case is on time when
    its ``resolve`` milestone was met on or before its due date. Open and overdue: within
    competence, not resolved by ``end``, with a milestone due before ``overdue_before`` and not
    met by ``end``. One pass with conditional sums; only counts, nothing about any person.
    """
    dialect = session.get_bind().dialect.name
    met_day = local_date(func.coalesce(Milestone.met_at, Case.resolved_at), dialect)
    received = and_(Case.received_at >= start, Case.received_at < end)
    resolved = and_(Case.resolved_at >= start, Case.resolved_at < end)
    pending = Milestone.__table__.alias("pending")
    overdue = exists().where(pending.c.case_id == Case.id, pending.c.due < overdue_before,
                             or_(pending.c.met_at.is_(None), pending.c.met_at >= end))
    still_open = and_(_within_competence(), ~_ended_without_answer(),
                      or_(Case.resolved_at.is_(None), Case.resolved_at >= end), overdue)
    query = (select(Case.kind, _count_if(received),
                    _count_if(and_(received, ~_within_competence())), _count_if(resolved),
                    _count_if(and_(resolved, met_day <= Milestone.due)),
                    _count_if(and_(resolved, met_day > Milestone.due)), _count_if(still_open))
             .select_from(Case)
             .outerjoin(Milestone, and_(Milestone.case_id == Case.id, Milestone.name == "resolve"))
             .where(Case.received_at < end).group_by(Case.kind))
    if unit_ids is not None:
        query = query.where(func.coalesce(Case.handling_unit_id, Case.unit_id).in_(unit_ids))
    names = ("received", "outside_competence", "resolved", "on_time", "late", "open_overdue")
    return {getattr(kind, "value", kind): dict(zip(names, map(int, counts), strict=True))
            for kind, *counts in session.execute(query)}
