"""The units a citizen may address a case to: those with someone to handle it."""

from __future__ import annotations

from sqlalchemy import or_, select

from survey.extensions import db
from survey.models import Counter, Role, Unit, User
from survey.rules.unit_tree import UnitRow, grouped_by_level

HANDLER_ROLES = (Role.OFFICER, Role.LEADER)


def _handling_filter():
    with_counter = select(Counter.unit_id).where(Counter.active.is_(True))
    with_staff = select(User.unit_id).where(User.active.is_(True), User.role.in_(HANDLER_ROLES))
    return or_(Unit.id.in_(with_counter), Unit.id.in_(with_staff))


def units_by_level() -> list[tuple[str, list[UnitRow]]]:
    """Units with an active counter or active officers or leaders, grouped by level.

    Two light queries: the whole tree (to order it; parents need not handle cases) and the ids
    of the units that do.
    """
    rows = [UnitRow(*r) for r in db.session.execute(
        select(Unit.id, Unit.parent_id, Unit.name, Unit.level))]
    keep = set(db.session.scalars(select(Unit.id).where(_handling_filter())))
    return grouped_by_level(rows, keep)

