"""Rules as data, edited by administrators: routing rules, conflicts of interest, the calendar."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from survey.extensions import db
from survey.models import CalendarOverride, Case, ConflictOfInterest, DayKind, RoutingRule, User
from survey.rules.workflow import OPEN_STATES
from survey.services import ServiceError, assignment, audit, milestones

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
    assignment.repair("rule_changed", actor=actor)
    return rule


def delete_rule(rule: RoutingRule, *, actor: User) -> None:
    """Delete a rule; open cases keep their holders (routing only ever reads rules when filing)."""
    audit.record("routing_rule_deleted", actor=actor, rule=rule.id)
    db.session.delete(rule)
    db.session.flush()
    assignment.repair("rule_changed", actor=actor)


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
    # Open denunciations held by someone now excluded go to someone who may hold them.
    assignment.repair("conflict_declared", actor=actor)
    return conflict


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
