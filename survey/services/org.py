"""Units, counters and procedures: create, edit, and the counter's revocable survey code."""

from __future__ import annotations

import secrets
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from survey.extensions import db
from survey.models import (
    Counter,
    Procedure,
    RevokedSurveyCode,
    Role,
    Unit,
    User,
    unit_procedures,
)
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


def ordered_units() -> list[tuple[Unit, int]]:
    """Every unit with its depth, depth first and siblings by name: the order lists show."""
    units = {unit.id: unit for unit in db.session.scalars(select(Unit))}
    found = OrgTree.from_rows((unit.id, unit.parent_id, unit.name) for unit in units.values())
    return [(units[unit_id], depth) for unit_id, depth in found.ordered()]


def subtree_ids(unit_id: int) -> list[int]:
    """The unit and all its descendants, breadth first."""
    return tree().subtree(unit_id)


def _changes(before: dict, after: dict) -> dict[str, list]:
    """``{field: [old, new]}`` for each field whose value changed: what an audit event keeps."""
    return {name: [before[name], value] for name, value in after.items() if before[name] != value}


def save_unit(unit: Unit | None, *, code: str, name: str, level: str, parent: Unit | None,
              actor: User | None = None) -> Unit:
    code = code.strip()
    clash = db.session.scalar(select(Unit).where(Unit.code == code))
    if clash is not None and clash is not unit:
        raise ServiceError(_("A unit with code %(code)s already exists.", code=code))
    # Any: the audit event keeps these as JSON, and **values must not look like record()'s own
    # keywords to mypy.
    values: dict[str, Any] = {"code": code, "name": name.strip(), "level": level.strip(),
                              "parent": parent.id if parent else None}
    if unit is None:
        unit = Unit(code=code, name=values["name"], level=values["level"], parent=parent)
        db.session.add(unit)
        db.session.flush()
        audit.record("unit_created", actor=actor, unit=unit.id, **values)
        return unit
    if tree().would_cycle(unit.id, values["parent"]):
        raise ServiceError(_("A unit cannot be placed under itself or its own sub-unit."))
    changes = _changes({"code": unit.code, "name": unit.name, "level": unit.level,
                        "parent": unit.parent_id}, values)
    unit.code, unit.name, unit.level, unit.parent = code, values["name"], values["level"], parent
    db.session.flush()
    if changes:
        audit.record("unit_changed", actor=actor, unit=unit.id, changes=changes)
    if "parent" in changes:
        from survey.services import assignment  # assignment reads the tree this module builds

        audit.record("unit_moved", actor=actor, unit=unit.id, parent=unit.parent_id)
        assignment.repair("unit_moved", actor=actor)
    return unit


def save_counter(counter: Counter | None, *, unit: Unit, code: str, name: str,
                 active: bool = True, actor: User | None = None) -> Counter:
    code = code.strip()
    clash = db.session.scalar(select(Counter).where(Counter.code == code))
    if clash is not None and clash is not counter:
        raise ServiceError(_("A counter with code %(code)s already exists.", code=code))
    values: dict[str, Any] = {"unit": unit.id, "code": code, "name": name.strip(),
                              "active": active}  # Any: as in save_unit
    if counter is None:
        counter = Counter(unit=unit, code=code, name=values["name"],
                          survey_code=new_survey_code(), active=active)
        db.session.add(counter)
        db.session.flush()
        # The survey code is printed on the counter's poster: public, not a secret.
        audit.record("counter_created", actor=actor, counter=counter.id,
                     survey_code=counter.survey_code, **values)
        return counter
    before = {"unit": counter.unit_id, "code": counter.code, "name": counter.name,
              "active": counter.active, "officer_on_duty": counter.officer_on_duty_id}
    if counter.officer_on_duty and counter.unit_id != unit.id:
        counter.officer_on_duty = None  # the officer belongs to the old unit
    counter.unit, counter.code, counter.name, counter.active = unit, code, values["name"], active
    db.session.flush()
    changes = _changes(before, values | {"officer_on_duty": counter.officer_on_duty_id})
    if changes:
        audit.record("counter_changed", actor=actor, counter=counter.id, changes=changes)
    return counter


def regenerate_survey_code(counter: Counter, *, actor: User | None = None) -> str:
    """Give the counter a new code; the old one is revoked (its posters stop working)."""
    old = counter.survey_code
    db.session.add(RevokedSurveyCode(code=old, counter_id=counter.id))
    counter.survey_code = new_survey_code()
    db.session.flush()
    audit.record("counter_code_renewed", actor=actor, counter=counter.id, revoked=old,
                 survey_code=counter.survey_code)
    return counter.survey_code


def eligible_duty_officers(counter: Counter) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.unit_id == counter.unit_id, User.active.is_(True),
                           User.role.in_([Role.OFFICER, Role.LEADER]))
        .order_by(User.display_name)
    ))


def set_officer_on_duty(counter: Counter, officer: User | None, *,
                        actor: User | None = None) -> None:
    if officer is not None and officer not in eligible_duty_officers(counter):
        raise ServiceError(_("Only an active officer of the counter's unit can be on duty there."))
    previous = counter.officer_on_duty_id
    counter.officer_on_duty = officer
    db.session.flush()
    audit.record("officer_on_duty_set", actor=actor, counter=counter.id,
                 officer=officer.id if officer else None, previous=previous)


def _units_of(procedure: Procedure) -> list[int]:
    return sorted(db.session.scalars(select(unit_procedures.c.unit_id)
                                     .where(unit_procedures.c.procedure_id == procedure.id)))


def save_procedure(procedure: Procedure | None, *, code: str, name: str, field: str,
                   processing_days: int | None, units: list[Unit],
                   actor: User | None = None) -> Procedure:
    code = code.strip()
    clash = db.session.scalar(select(Procedure).where(Procedure.code == code))
    if clash is not None and clash is not procedure:
        raise ServiceError(_("A procedure with code %(code)s already exists.", code=code))
    created = procedure is None
    if procedure is None:
        procedure = Procedure(code=code)
        db.session.add(procedure)
        before = dict.fromkeys(("code", "name", "field", "processing_days"))
        before["units"] = []
    else:
        before = {"code": procedure.code, "name": procedure.name, "field": procedure.field,
                  "processing_days": procedure.processing_days,
                  "units": _units_of(procedure)}
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
    after: dict[str, Any] = {"code": procedure.code, "name": procedure.name,
                             "field": procedure.field, "processing_days": processing_days,
                             "units": sorted(u.id for u in units)}
    if created:
        audit.record("procedure_created", actor=actor, procedure=procedure.id, **after)
    elif changes := _changes(before, after):
        audit.record("procedure_changed", actor=actor, procedure=procedure.id, changes=changes)
    return procedure
