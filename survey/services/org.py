"""Units, counters and procedures: create, edit, and the counter's revocable survey code."""

from __future__ import annotations

import secrets

from flask_babel import gettext as _
from sqlalchemy import select

from survey.extensions import db
from survey.models import Counter, Procedure, RevokedSurveyCode, Role, Unit, User
from survey.rules.org_tree import OrgTree
from survey.services import ServiceError, audit

# No 0/o, 1/l/i: codes are sometimes typed from a poster.
SURVEY_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
SURVEY_CODE_LENGTH = 6


def new_survey_code() -> str:
    while True:
        code = "".join(secrets.choice(SURVEY_CODE_ALPHABET) for _ in range(SURVEY_CODE_LENGTH))
        taken = db.session.scalar(select(Counter.id).where(Counter.survey_code == code))
        revoked = db.session.get(RevokedSurveyCode, code)
        if taken is None and revoked is None:
            return code


def tree() -> OrgTree:
    """The whole unit tree, from one query."""
    return OrgTree.from_rows(db.session.execute(select(Unit.id, Unit.parent_id, Unit.name)).all())


def subtree_ids(unit_id: int) -> list[int]:
    """The unit and all its descendants, breadth first."""
    return tree().subtree(unit_id)


def save_unit(unit: Unit | None, *, code: str, name: str, level: str, parent: Unit | None,
              actor: User | None = None) -> Unit:
    code = code.strip()
    clash = db.session.scalar(select(Unit).where(Unit.code == code))
    if clash is not None and clash is not unit:
        raise ServiceError(_("A unit with code %(code)s already exists.", code=code))
    if unit is None:
        unit = Unit(code=code, name=name.strip(), level=level.strip(), parent=parent)
        db.session.add(unit)
        db.session.flush()
        return unit
    if tree().would_cycle(unit.id, parent.id if parent else None):
        raise ServiceError(_("A unit cannot be placed under itself or its own sub-unit."))
    moved = unit.parent_id != (parent.id if parent else None)
    unit.code, unit.name, unit.level, unit.parent = code, name.strip(), level.strip(), parent
    db.session.flush()
    if moved:
        from survey.services import assignment  # assignment reads the tree this module builds

        audit.record("unit_moved", actor=actor, unit=unit.id, parent=unit.parent_id)
        assignment.repair("unit_moved", actor=actor)
    return unit


def save_counter(counter: Counter | None, *, unit: Unit, code: str, name: str,
                 active: bool = True) -> Counter:
    code = code.strip()
    clash = db.session.scalar(select(Counter).where(Counter.code == code))
    if clash is not None and clash is not counter:
        raise ServiceError(_("A counter with code %(code)s already exists.", code=code))
    if counter is None:
        counter = Counter(unit=unit, code=code, name=name.strip(), survey_code=new_survey_code(),
                          active=active)
        db.session.add(counter)
    else:
        if counter.officer_on_duty and counter.unit_id != unit.id:
            counter.officer_on_duty = None  # the officer belongs to the old unit
        counter.unit, counter.code, counter.name, counter.active = unit, code, name.strip(), active
    db.session.flush()
    return counter


def regenerate_survey_code(counter: Counter) -> str:
    """Give the counter a new code; the old one is revoked (its posters stop working)."""
    db.session.add(RevokedSurveyCode(code=counter.survey_code, counter_id=counter.id))
    counter.survey_code = new_survey_code()
    db.session.flush()
    return counter.survey_code


def eligible_duty_officers(counter: Counter) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.unit_id == counter.unit_id, User.active.is_(True),
                           User.role.in_([Role.OFFICER, Role.LEADER]))
        .order_by(User.display_name)
    ))


def set_officer_on_duty(counter: Counter, officer: User | None) -> None:
    if officer is not None and officer not in eligible_duty_officers(counter):
        raise ServiceError(_("Only an active officer of the counter's unit can be on duty there."))
    counter.officer_on_duty = officer
    db.session.flush()


def save_procedure(procedure: Procedure | None, *, code: str, name: str, field: str,
                   processing_days: int | None, units: list[Unit]) -> Procedure:
    code = code.strip()
    clash = db.session.scalar(select(Procedure).where(Procedure.code == code))
    if clash is not None and clash is not procedure:
        raise ServiceError(_("A procedure with code %(code)s already exists.", code=code))
    if procedure is None:
        procedure = Procedure(code=code)
        db.session.add(procedure)
    procedure.code, procedure.name, procedure.field = code, name.strip(), field.strip()
    procedure.processing_days = processing_days
    db.session.flush()
    for unit in db.session.scalars(select(Unit)):
        has = procedure in unit.procedures
        if unit in units and not has:
            unit.procedures.append(procedure)
        elif unit not in units and has:
            unit.procedures.remove(procedure)
    db.session.flush()
    return procedure
