"""Look-ups of the survey pages: which counter a code opens, and its unit's procedures.

Plain column queries (no ORM objects): they run on every QR scan and every submission.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import BindParameter, Select, bindparam, or_, select, true

from survey.extensions import db
from survey.models import (
    Counter,
    Procedure,
    Questionnaire,
    QuestionnaireVersion,
    RevokedSurveyCode,
    unit_procedures,
)
from survey.rules import text_match


@dataclass(frozen=True)
class Target:
    counter_id: int
    unit_id: int
    officer_id: int | None
    active: bool
    code: str  # the survey code in the URL
    counter_code: str  # the counter's own code, as the staff know it


@dataclass(frozen=True)
class SurveyLookup:
    """What a survey request needs from the database, read by one statement."""

    target: Target
    version_id: int | None  # the questionnaire's current version (None: no such questionnaire)
    version_checksum: str | None
    # The posted procedure's id; None when none was chosen; False if the unit does not offer it.
    procedure_id: int | None | bool


# The columns a submission fills, in the order of response_values_at_counter's SELECT.
RESPONSE_COLUMNS = ("questionnaire_version_id", "unit_id", "counter_id", "officer_id",
                    "procedure_id", "channel", "submitted_at", "comment", "idempotency_key")
# Built once: composing a statement costs more than running it on this path.
_TARGET_COLUMNS = (Counter.id, Counter.unit_id, Counter.officer_on_duty_id, Counter.active,
                   Counter.survey_code, Counter.code)
_FIND = select(*_TARGET_COLUMNS).where(Counter.survey_code == bindparam("code"))


def _current_version(*columns) -> Select:
    """SELECT ``columns`` of the current version of the questionnaire ``:questionnaire``."""
    return (select(*columns).join(Questionnaire)
            .where(Questionnaire.code == bindparam("questionnaire"))
            .order_by(QuestionnaireVersion.version.desc()).limit(1))


def _procedure_of_unit(unit_id, code) -> Select:
    """SELECT the id of the procedure ``code`` if the unit ``unit_id`` offers it."""
    return (select(Procedure.id)
            .join(unit_procedures, unit_procedures.c.procedure_id == Procedure.id)
            .where(unit_procedures.c.unit_id == unit_id, Procedure.code == code))


_CURRENT_VERSION = _current_version(QuestionnaireVersion.id,
                                    QuestionnaireVersion.checksum).subquery("current_version")
_PROCEDURE_OF_COUNTER_UNIT = _procedure_of_unit(Counter.unit_id,
                                                bindparam("procedure")).scalar_subquery()
# The three look-ups of a submission in one round trip: the counter, the questionnaire's current
# version (joined on true: it does not depend on the counter) and the posted procedure among
# those of the counter's unit.
_FIND_FOR_SURVEY = (select(*_TARGET_COLUMNS, _CURRENT_VERSION.c.id, _CURRENT_VERSION.c.checksum,
                           _PROCEDURE_OF_COUNTER_UNIT)
                    .select_from(Counter).outerjoin(_CURRENT_VERSION, true())
                    .where(Counter.survey_code == bindparam("code")))


def response_values_at_counter(columns: dict[str, BindParameter]) -> Select:
    """The values of a response at the counter of ``:survey_code``, with the checks of the
    long way made in SQL: no row unless the counter is active, ``:questionnaire_version_id`` is
    the current version of ``:questionnaire`` and still has the definition of checksum
    ``:questionnaire_checksum`` (a version without answers can be edited in place), and
    ``:procedure`` (if not NULL) is one of the unit's procedures. ``columns`` gives the bound
    values of the other columns, by name.

    For ``INSERT ... SELECT`` (``record_at_counter``): looking up and storing in one statement.
    """
    version_id = columns["questionnaire_version_id"]
    current = _current_version(QuestionnaireVersion.id).scalar_subquery()
    checksum = (select(QuestionnaireVersion.checksum)
                .where(QuestionnaireVersion.id == version_id).scalar_subquery())
    procedure = bindparam("procedure", type_=Procedure.__table__.c.code.type)
    procedure_id = _procedure_of_unit(Counter.unit_id, procedure).scalar_subquery()
    looked_up = {"unit_id": Counter.unit_id, "counter_id": Counter.id,
                 "officer_id": Counter.officer_on_duty_id, "procedure_id": procedure_id}
    return (select(*({**columns, **looked_up}[name] for name in RESPONSE_COLUMNS))
            .where(Counter.survey_code == bindparam("survey_code"), Counter.active,
                   current == version_id, checksum == bindparam("questionnaire_checksum"),
                   or_(procedure.is_(None), procedure_id.is_not(None))))


def find(code: str) -> Target | None:
    row = db.session.connection().execute(_FIND, {"code": code}).first()
    return Target(*row) if row else None


def find_for_survey(code: str, questionnaire: str, procedure: str | None) -> SurveyLookup | None:
    """The counter of ``code`` with the current version of ``questionnaire`` and the id of the
    posted ``procedure`` (None if none was posted, False if the unit does not offer it)."""
    row = db.session.connection().execute(_FIND_FOR_SURVEY, {
        "code": code, "questionnaire": questionnaire, "procedure": procedure or None}).first()
    if row is None:
        return None
    found = row[8] if procedure else None
    return SurveyLookup(Target(*row[:6]), row[6], row[7], False if procedure and found is None
                        else found)


def is_revoked(code: str) -> bool:
    return db.session.get(RevokedSurveyCode, code) is not None


def procedure_choices(unit_id: int, search: str = "") -> list[tuple[str, str]]:
    """The unit's procedures, by field then name, narrowed by a search if given.

    The search forgives marks and case (``text_match``), so it runs over the unit's list here.
    """
    query = (select(Procedure.code, Procedure.name, Procedure.field)
             .join(unit_procedures, unit_procedures.c.procedure_id == Procedure.id)
             .where(unit_procedures.c.unit_id == unit_id)
             .order_by(Procedure.field, Procedure.name))
    return [(code, name) for code, name, field in db.session.execute(query)
            if text_match.matches(search, code, name, field)]
