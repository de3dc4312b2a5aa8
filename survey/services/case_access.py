"""Which cases a staff member sees, and which are late or due soon: one place for the desks, the
case pages and the escalation's notices.

- Officers see the cases they hold.
- Leaders also see every case handled in their unit or below, the Unassigned queue of that
  subtree, and the cases they hold anywhere.
- Administrators see the Unassigned queue of the whole organisation (to assign from it), and no
  case's content.
- Nobody ever sees a denunciation that names them or someone they are declared in conflict with.
- A case is late when a milestone not yet met fell due before today, and due soon when one falls
  due within ``DUE_SOON_WORKING_DAYS`` working days; a case whose clock is stopped (suspended,
  or waiting on the citizen) is neither: its due dates move on when the clock runs again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import NamedTuple

from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from survey.extensions import db
from survey.models import Case, CaseKind, CaseState, ConflictOfInterest, Milestone, Role, User
from survey.rules import routing, text_match, workdays
from survey.rules.workflow import CLOCK_STOPPED_STATES, OPEN_STATES
from survey.services import milestones
from survey.services.org import subtree_ids

# A milestone due within this many working days from today is "due soon": the desks mark it
# and the escalation warns its handler.
DUE_SOON_WORKING_DAYS = 2
CLOCK_RUNNING_STATES = OPEN_STATES - CLOCK_STOPPED_STATES


# ---- conflicts ----------------------------------------------------------------------------------

def conflicts() -> list[frozenset[int]]:
    """Every declared pair of staff who never handle a denunciation about each other."""
    pairs = db.session.execute(select(ConflictOfInterest.user_a_id, ConflictOfInterest.user_b_id))
    return [frozenset(pair) for pair in pairs]


def excluded_accused_ids(user: User) -> set[int]:
    """Whom ``user`` must never see denounced: themselves and those declared in conflict."""
    ids = {user.id}
    pairs = db.session.execute(select(ConflictOfInterest.user_a_id, ConflictOfInterest.user_b_id)
                               .where(or_(ConflictOfInterest.user_a_id == user.id,
                                          ConflictOfInterest.user_b_id == user.id)))
    for pair in pairs:
        ids |= set(pair)
    return ids


def is_excluded(case: Case, user: User) -> bool:
    """Tell whether the user must not see the case: named in it, or in conflict with the accused."""
    if case.kind is not CaseKind.DENUNCIATION or case.accused_user_id is None:
        return False
    return routing.is_excluded(user.id, case.accused_user_id, conflicts())


# ---- visibility ---------------------------------------------------------------------------------

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


def visible_case(case_id: int, user: User) -> Case | None:
    """The case if ``user`` may open it on the officer's desk, else None."""
    case = db.session.scalar(select(Case).where(Case.id == case_id, visible(user)))
    # The exclusion is in ``visible`` already; checked once more on the loaded case, as a second
    # lock on the one rule that must never fail (the accused never reads the denunciation).
    return None if case is None or is_excluded(case, user) else case


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


# ---- urgency ------------------------------------------------------------------------------------

class Urgency(StrEnum):
    LATE = "late"
    SOON = "soon"


@dataclass(frozen=True)
class Today:
    """Today in Vietnam, and the last day on which a milestone counts as due soon."""

    day: date
    soon_until: date
    calendar: workdays.WorkCalendar

    @classmethod
    def at(cls, now: datetime) -> Today:
        day = milestones.local_day(now)
        calendar = milestones.calendar(day)
        return cls(day, workdays.add_working_days(calendar, day, DUE_SOON_WORKING_DAYS), calendar)


def urgency(due: date | None, state: CaseState, today: Today) -> Urgency | None:
    """How pressing a milestone due on ``due`` is for a case in ``state``."""
    if due is None or state not in CLOCK_RUNNING_STATES:
        return None
    if due < today.day:
        return Urgency.LATE
    return Urgency.SOON if due <= today.soon_until else None


def clock_running() -> ColumnElement[bool]:
    """Open cases whose statutory clock runs."""
    return Case.state.in_(CLOCK_RUNNING_STATES)


def late(today: Today) -> ColumnElement[bool]:
    """Cases with a milestone not met that fell due before today, their clock running."""
    overdue = select(Milestone.case_id).where(Milestone.met_at.is_(None),
                                              Milestone.due < today.day)
    return and_(clock_running(), Case.id.in_(overdue))


def pressing_milestones(today: Today) -> Select:
    """The milestones not met that are late or due soon, their case's clock running."""
    return (select(Milestone).join(Case)
            .where(clock_running(), Milestone.met_at.is_(None),
                   Milestone.due <= today.soon_until))


# ---- the desk's lists ---------------------------------------------------------------------------

class DeskRow(NamedTuple):
    case: Case
    due: date | None  # the nearest milestone not met yet
    urgency: Urgency | None


def desk_rows(user: User, condition: ColumnElement[bool], now: datetime, *,
              state: str | None = None, kind: str | None = None, late_only: bool = False,
              search: str = "") -> list[DeskRow]:
    """The cases ``user`` sees that meet ``condition``, nearest deadline first."""
    due = (select(Milestone.case_id, func.min(Milestone.due).label("due"))
           .where(Milestone.met_at.is_(None)).group_by(Milestone.case_id).subquery())
    query = (select(Case, due.c.due).outerjoin(due, due.c.case_id == Case.id)
             .where(visible(user), condition))
    if state:
        query = query.where(Case.state == state)
    if kind:
        query = query.where(Case.kind == kind)
    today = Today.at(now)
    if late_only:
        query = query.where(late(today))
    rows = db.session.execute(query.order_by(due.c.due.is_(None), due.c.due, Case.id)).all()
    if search:  # marks and case forgiven alike on both databases (see text_match)
        rows = [row for row in rows
                if text_match.matches(search, row[0].subject, row[0].description or "")]
    return [DeskRow(case, value, urgency(value, case.state, today)) for case, value in rows]
