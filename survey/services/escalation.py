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
from survey.rules.workflow import OPEN_STATES
from survey.services import assignment, audit, case_access, milestones, notifications
from survey.web.i18n import local_date


@dataclass(frozen=True)
class EscalationReport:
    warned: int
    late: int
    rerouted: int = 0
    unassigned: int = 0  # cases that waited a working day for a handler, leaders now told


def escalate(now: datetime) -> EscalationReport:
    # A holder may have been freed or added since: route what is off every desk first.
    rerouted = assignment.repair("escalation")
    today = case_access.Today.at(now)
    due = db.session.scalars(case_access.pressing_milestones(today)
                             .options(selectinload(Milestone.case)).order_by(Milestone.due)).all()
    warned = late = 0
    for milestone in due:
        case = milestone.case
        with force_locale("vi"):
            label, when = (milestone.label.get("vi", milestone.name),
                           local_date(milestone.due))
        urgency = case_access.urgency(milestone.due, case.state, today)
        if urgency is case_access.Urgency.LATE and milestone.late_notified_at is None:
            notifications.milestone_late(case, label, when)
            milestone.late_notified_at = now
            audit.record("late_notified", case_id=case.id, milestone=milestone.name)
            late += 1
        elif urgency is case_access.Urgency.SOON and milestone.warned_at is None:
            notifications.milestone_due_soon(case, label, when)
            milestone.warned_at = now
            audit.record("due_soon_warned", case_id=case.id, milestone=milestone.name)
            warned += 1
    db.session.flush()
    return EscalationReport(warned=warned, late=late, rerouted=rerouted,
                            unassigned=_remind_unassigned(now, today))


def _remind_unassigned(now: datetime, today: case_access.Today) -> int:
    """Tell the leaders above each case that has waited a working day with nobody (once)."""
    waiting = db.session.scalars(select(Case).where(
        Case.state.in_(OPEN_STATES), Case.assignee_id.is_(None),
        Case.unassigned_since.is_not(None), Case.unassigned_notified_at.is_(None))).all()
    told = 0
    for case in waiting:
        since = milestones.local_day(case.unassigned_since)
        if since >= today.day or workdays.working_days_between(today.calendar, since,
                                                               today.day) < 1:
            continue
        notifications.still_unassigned(case)
        case.unassigned_notified_at = now
        audit.record("unassigned_notified", case_id=case.id)
        told += 1
    db.session.flush()
    return told
