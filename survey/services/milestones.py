"""Statutory milestones of a case: the pure deadline engine fed from the database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from importlib import resources

from sqlalchemy import select

from survey.extensions import db
from survey.models import (
    CalendarOverride,
    Case,
    CasePause,
    DayKind,
    Milestone,
    MilestoneChange,
    User,
)
from survey.models.base import utcnow
from survey.rules import deadlines, workdays
from survey.web.i18n import LOCAL_TZ


@lru_cache(maxsize=1)
def rulebook() -> deadlines.Rulebook:
    """The rulebook shipped with the package, read and checked once: its one loader."""
    text = resources.files("survey").joinpath("rulebooks/default.yaml").read_text(encoding="utf-8")
    return deadlines.Rulebook.parse(text)


def statutory_milestones(kind: str, received: date, *, is_complex: bool = False,
                         remote: bool = False, extra_days_off: Sequence[date] = (),
                         makeup_working_days: Sequence[date] = ()) -> list[deadlines.Milestone]:
    """Compute a new case's milestones with the shipped rulebook and the Vietnamese calendar."""
    # the longest default period (10 WD, then 90 days) never reaches past the next year
    calendar = workdays.vietnam_calendar(range(received.year, received.year + 2), extra_days_off,
                                         makeup_working_days)
    return deadlines.compute_milestones(rulebook(), calendar, kind, received=received,
                                        complexity=int(is_complex), remote=remote)


def calendar(around: date) -> workdays.WorkCalendar:
    """The working calendar for the years a case can span, with the administrator's overrides."""
    years = range(around.year - 1, around.year + 3)
    overrides = db.session.scalars(select(CalendarOverride).where(
        CalendarOverride.day >= date(years[0], 1, 1),
        CalendarOverride.day <= date(years[-1], 12, 31)))
    off: list[date] = []
    working: list[date] = []
    for override in overrides:
        (off if override.kind is DayKind.DAY_OFF else working).append(override.day)
    return workdays.vietnam_calendar(years, extra_days_off=off, makeup_working_days=working)


def local_day(moment) -> date:
    return moment.astimezone(LOCAL_TZ).date()


def refresh(case: Case, *, approved_by: User | None = None) -> None:
    """Recompute the case's milestones, keeping what was already met or notified.

    Each pending milestone whose due date moves gets a ``MilestoneChange`` saying why;
    ``approved_by`` is the leader whose decision lengthened the period, if any.
    """
    received = local_day(case.received_at)
    # A pause still running counts up to today: the due date moves on each day it lasts.
    today = local_day(utcnow())
    paused = [(p.started_on, p.ended_on or today) for p in case.pauses]
    computed = deadlines.compute_milestones(
        rulebook(), calendar(received), case.deadline_kind, received=received,
        accepted=case.accepted_on, complexity=case.complexity, remote=case.remote_area,
        extensions_granted=case.extensions_granted, paused=paused,
        # Until the office accepts the case it must decide whether it is competent, and forward
        # it within the statutory time if not; the milestone is met by accepting or forwarding.
        include=("forward",),
    )
    existing = {m.name: m for m in case.milestones}
    for item in computed:
        milestone = existing.get(item.name)
        if milestone is None:
            milestone = Milestone(case=case, name=item.name)
            db.session.add(milestone)
        elif milestone.due != item.due and milestone.met_at is None:
            db.session.add(MilestoneChange(
                case=case, milestone=item.name, old_due=milestone.due, new_due=item.due,
                causes=_causes(case, milestone, item, approved_by, today)))
        milestone.label, milestone.due, milestone.day_unit = dict(item.label), item.due, item.unit
        milestone.days, milestone.basis = item.days, item.basis
        milestone.paused_days, milestone.starts_on = item.paused_days, item.starts_on
    db.session.flush()


def _causes(case: Case, before: Milestone, after: deadlines.Milestone,
            approved_by: User | None, today: date) -> list[dict]:
    """Why a due date moved, as data the pages put in words (see ``survey.due_changes``)."""
    causes: list[dict] = []
    if before.starts_on is not None and before.starts_on != after.starts_on:
        on = after.starts_on.isoformat()
        causes.append({"cause": "accepted", "on": on} if after.starts_on == case.accepted_on
                      else {"cause": "start", "on": on})
    if after.days != before.days:
        causes.append({"cause": "extended" if after.days > before.days else "period",
                       "days": after.days - before.days, "unit": after.unit.value,
                       "by": approved_by.id if approved_by else None})
    if after.paused_days != before.paused_days and case.pauses:
        latest = max(case.pauses, key=lambda p: (p.ended_on or today, p.id or 0))
        causes.append({"cause": _pause_cause(latest), "unit": after.unit.value,
                       "days": after.paused_days - before.paused_days})
    if not causes:
        causes.append({"cause": "calendar" if before.starts_on is not None else "recalculated"})
    return causes


def _pause_cause(pause: CasePause) -> str:
    return pause.kind.value if pause.kind is not None else "citizen"


def mark_met(case: Case, names: tuple[str, ...], when) -> None:
    for milestone in case.milestones:
        if milestone.name in names and milestone.met_at is None:
            milestone.met_at = when
    db.session.flush()


def next_open(case: Case) -> Milestone | None:
    pending = [m for m in case.milestones if m.met_at is None]
    return min(pending, key=lambda m: m.due) if pending else None
