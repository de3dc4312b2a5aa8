"""Which cases a staff member sees, as SQL conditions the desks and notices share.

- Officers see the cases they hold.
- Leaders also see every case handled in their unit or below, the Unassigned queue of that
  subtree, and the cases they hold anywhere.
- Administrators see the Unassigned queue of the whole organisation (to assign from it), and no
  case's content.
- Nobody ever sees a denunciation that names them or someone they are declared in conflict with.
"""

from __future__ import annotations

from sqlalchemy import and_, false, or_, select
from sqlalchemy.sql.elements import ColumnElement

from survey.extensions import db
from survey.models import Case, CaseKind, ConflictOfInterest, Role, User
from survey.rules.workflow import OPEN_STATES
from survey.services.org import subtree_ids


def excluded_accused_ids(user: User) -> set[int]:
    """Whom ``user`` must never see denounced: themselves and those declared in conflict."""
    ids = {user.id}
    pairs = db.session.execute(select(ConflictOfInterest.user_a_id, ConflictOfInterest.user_b_id)
                               .where(or_(ConflictOfInterest.user_a_id == user.id,
                                          ConflictOfInterest.user_b_id == user.id)))
    for pair in pairs:
        ids |= set(pair)
    return ids


def not_about(user: User) -> ColumnElement[bool]:
    # Spelled out rather than NOT(kind AND accused IN ...): with a NULL accused that would be
    # NULL, and SQL would drop every denunciation that names nobody.
    return or_(Case.kind != CaseKind.DENUNCIATION, Case.accused_user_id.is_(None),
               Case.accused_user_id.not_in(excluded_accused_ids(user)))


def visible(user: User) -> ColumnElement[bool]:
    """The cases ``user`` may open on the officer's desk."""
    if user.role is Role.LEADER:
        units = subtree_ids(user.unit_id)
        scope = or_(Case.handling_unit_id.in_(units), Case.assignee_id == user.id,
                    and_(Case.assignee_id.is_(None), Case.handling_unit_id.is_(None),
                         Case.unit_id.in_(units)))
    elif user.role is Role.OFFICER:
        scope = Case.assignee_id == user.id
    else:
        return false()
    return and_(scope, not_about(user))


def unassigned(user: User) -> ColumnElement[bool]:
    """The open cases nobody holds that ``user`` sees in the Unassigned queue."""
    waiting = and_(Case.assignee_id.is_(None), Case.state.in_(OPEN_STATES))
    if user.role is Role.ADMIN:
        return waiting
    if user.role is Role.LEADER:
        units = subtree_ids(user.unit_id)
        here = or_(Case.handling_unit_id.in_(units),
                   and_(Case.handling_unit_id.is_(None), Case.unit_id.in_(units)))
        return and_(waiting, here, not_about(user))
    return false()
