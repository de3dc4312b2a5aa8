"""Warn the handler before a milestone falls due and the leaders once it is late (once each)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from survey.extensions import db
from survey.models import Case, Milestone
from survey.rules import workdays
from survey.rules.workflow import CLOCK_STOPPED_STATES, OPEN_STATES
from survey.services import assignment, audit, milestones, notifications
from survey.web.i18n import local_date

DUE_SOON_WORKING_DAYS = 2


@dataclass(frozen=True)
class EscalationReport:
    warned: int
    late: int
    rerouted: int = 0
    unassigned: int = 0  # cases that waited a working day for a handler, leaders now told


def escalate(now: datetime) -> EscalationReport:
    # A holder may have been freed or added since: route what is off every desk first.
    rerouted = assignment.repair("escalation")
    today = milestones.local_day(now)
    calendar = milestones.calendar(today)
    horizon = workdays.add_working_days(calendar, today, DUE_SOON_WORKING_DAYS)
    due = db.session.scalars(
        select(Milestone).join(Case).where(Case.state.in_(OPEN_STATES - CLOCK_STOPPED_STATES),
                                           Milestone.met_at.is_(None), Milestone.due <= horizon)
        .options(selectinload(Milestone.case)).order_by(Milestone.due)).all()
    warned = late = 0
    for milestone in due:
        case = milestone.case
        with force_locale("vi"):
            label, when = (milestone.label.get("vi", milestone.name),
                           local_date(milestone.due))
        if milestone.due < today and milestone.late_notified_at is None:
            notifications.milestone_late(case, label, when)
            milestone.late_notified_at = now
            audit.record("late_notified", case_id=case.id, milestone=milestone.name)
            late += 1
        elif milestone.due >= today and milestone.warned_at is None:
            notifications.milestone_due_soon(case, label, when)
            milestone.warned_at = now
            audit.record("due_soon_warned", case_id=case.id, milestone=milestone.name)
            warned += 1
    db.session.flush()
    return EscalationReport(warned=warned, late=late, rerouted=rerouted,
                            unassigned=_remind_unassigned(now, today, calendar))


def _remind_unassigned(now: datetime, today, calendar) -> int:
    """Tell the leaders above each case that has waited a working day with nobody (once)."""
    waiting = db.session.scalars(select(Case).where(
        Case.state.in_(OPEN_STATES), Case.assignee_id.is_(None),
        Case.unassigned_since.is_not(None), Case.unassigned_notified_at.is_(None))).all()
    told = 0
    for case in waiting:
        since = milestones.local_day(case.unassigned_since)
        if since >= today or workdays.working_days_between(calendar, since, today) < 1:
            continue
        notifications.still_unassigned(case)
        case.unassigned_notified_at = now
        audit.record("unassigned_notified", case_id=case.id)
        told += 1
    db.session.flush()
    return told
