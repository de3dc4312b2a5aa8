"""Look-ups of the survey pages: which counter a code opens, and its unit's procedures.

Plain column queries (no ORM objects): they run on every QR scan and every submission.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, or_, select

from survey.extensions import db
from survey.models import Counter, Procedure, RevokedSurveyCode, unit_procedures


@dataclass(frozen=True)
class Target:
    counter_id: int
    unit_id: int
    officer_id: int | None
    active: bool
    code: str  # the survey code in the URL
    counter_code: str  # the counter's own code, as the staff know it


# Built once: composing a statement costs more than running it on this path.
_FIND = (select(Counter.id, Counter.unit_id, Counter.officer_on_duty_id, Counter.active,
                Counter.survey_code, Counter.code)
         .where(Counter.survey_code == bindparam("code")))


def find(code: str) -> Target | None:
    row = db.session.connection().execute(_FIND, {"code": code}).first()
    return Target(*row) if row else None


def is_revoked(code: str) -> bool:
    return db.session.get(RevokedSurveyCode, code) is not None


def procedure_choices(unit_id: int, search: str = "") -> list[tuple[str, str]]:
    """The unit's procedures, by field then name, narrowed by a search if given."""
    query = (select(Procedure.code, Procedure.name)
             .join(unit_procedures, unit_procedures.c.procedure_id == Procedure.id)
             .where(unit_procedures.c.unit_id == unit_id)
             .order_by(Procedure.field, Procedure.name))
    if search:
        like = f"%{search}%"
        query = query.where(or_(Procedure.name.ilike(like), Procedure.code.ilike(like),
                                Procedure.field.ilike(like)))
    return [(code, name) for code, name in db.session.execute(query)]


def procedure_id(unit_id: int, code: str | None) -> int | None | bool:
    """The id of a procedure the unit handles; None when none was chosen; False if not offered."""
    if not code:
        return None
    found = db.session.scalar(
        select(Procedure.id).join(unit_procedures, unit_procedures.c.procedure_id == Procedure.id)
        .where(unit_procedures.c.unit_id == unit_id, Procedure.code == code))
    return found if found is not None else False
