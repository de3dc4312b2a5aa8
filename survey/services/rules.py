"""Rules as data, edited by administrators: routing rules, conflicts of interest, the calendar."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from survey.extensions import db
from survey.models import (
    CalendarOverride,
    Case,
    CaseKind,
    ConflictOfInterest,
    DayKind,
    RoutingRule,
    User,
)
from survey.services import ServiceError, assignment, audit, milestones
from survey.workflow import OPEN_STATES

OPTIONAL_CRITERIA = ("kind", "unit_id", "procedure_field", "topic", "note")


def save_rule(rule: RoutingRule | None, *, actor: User, **fields) -> RoutingRule:
    if rule is None:
        rule = RoutingRule()
        db.session.add(rule)
    for name, value in fields.items():
        # An empty criterion is stored as NULL, which matches anything.
        setattr(rule, name, (value or None) if name in OPTIONAL_CRITERIA else value)
    db.session.flush()
    audit.record("routing_rule_saved", actor=actor, rule=rule.id)
    return rule


def declare_conflict(a: User, b: User, reason: str, *, actor: User) -> ConflictOfInterest:
    if a.id == b.id:
        raise ServiceError(_("Choose two different people."))
    low, high = sorted((a.id, b.id))
    if db.session.scalar(select(ConflictOfInterest).where(
            ConflictOfInterest.user_a_id == low, ConflictOfInterest.user_b_id == high)):
        raise ServiceError(_("This conflict is already declared."))
    conflict = ConflictOfInterest(user_a_id=low, user_b_id=high, reason=reason.strip())
    db.session.add(conflict)
    db.session.flush()
    audit.record("conflict_declared", actor=actor, users=[low, high])
    enforce_conflicts(actor)
    return conflict


def enforce_conflicts(actor: User | None = None) -> int:
    """Take open denunciations away from anyone now excluded from them; returns how many moved."""
    moved = 0
    held = db.session.scalars(select(Case).where(
        Case.kind == CaseKind.DENUNCIATION, Case.state.in_(OPEN_STATES),
        Case.accused_user_id.is_not(None), Case.assignee_id.is_not(None)))
    for case in held:
        if assignment.is_excluded(case, case.assignee):
            assignment.route_case(case)
            moved += 1
    return moved


def remove_conflict(conflict: ConflictOfInterest, *, actor: User) -> None:
    audit.record("conflict_removed", actor=actor, users=[conflict.user_a_id, conflict.user_b_id])
    db.session.delete(conflict)
    db.session.flush()


def set_calendar_day(day: date, kind: DayKind, note: str, *, actor: User) -> None:
    override = db.session.get(CalendarOverride, day) or CalendarOverride(day=day)
    override.kind, override.note = kind, note.strip()
    db.session.add(override)
    db.session.flush()
    audit.record("calendar_changed", actor=actor, day=day.isoformat(), kind=kind.value)
    refresh_open_cases()


def remove_calendar_day(day: date, *, actor: User) -> None:
    override = db.session.get(CalendarOverride, day)
    if override is not None:
        db.session.delete(override)
        db.session.flush()
        audit.record("calendar_changed", actor=actor, day=day.isoformat(), kind="removed")
        refresh_open_cases()


def refresh_open_cases() -> None:
    """Recompute deadlines after the calendar changed."""
    for case in db.session.scalars(select(Case).where(Case.state.in_(OPEN_STATES))):
        milestones.refresh(case)
