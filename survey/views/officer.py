"""The officer's desk: my cases by nearest deadline, the case page and its allowed steps.

Leaders also see their unit's queue, the Unassigned queue of their subtree, reassign, decide
extensions and see what is late; administrators see the whole Unassigned queue and assign from
it. Deny by default: each role reaches only the endpoints listed for it, and every case goes
through ``get_case_or_404``, which refuses the accused officer and anyone in conflict with them.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import and_, func, select

from survey.extensions import db
from survey.forms.cases import DeskFilterForm
from survey.models import Case, Milestone, Role
from survey.models.base import utcnow
from survey.render.labels import KINDS, STATES
from survey.rules import text_match, workdays
from survey.rules.workflow import OPEN_STATES
from survey.services import assignment, case_access, milestones
from survey.web.security import require_roles

bp = Blueprint("officer", __name__, url_prefix="/officer")
bp.before_request(require_roles(Role.OFFICER, Role.LEADER, Role.CUSTODIAN, Role.ADMIN))

HANDLER_ENDPOINTS = {"officer.desk", "officer.show_case", "officer.act", "officer.add_note",
                     "officer.reply", "officer.request_extension", "officer.download",
                     "officer.record_case", "officer.receipt_pdf", "officer.record_withdrawal"}
LEADER_ENDPOINTS = HANDLER_ENDPOINTS | {"officer.queue", "officer.late", "officer.extensions",
                                        "officer.decide_extension", "officer.reassign",
                                        "officer.unassigned", "officer.take"}
ENDPOINTS_BY_ROLE = {Role.OFFICER: HANDLER_ENDPOINTS, Role.LEADER: LEADER_ENDPOINTS,
                     Role.ADMIN: {"officer.unassigned", "officer.assign_unassigned"},
                     Role.CUSTODIAN: set()}  # the custodian's pages live in views/custody.py
DUE_SOON_WORKING_DAYS = 2


@bp.before_request
def _only_listed_endpoints():
    if request.endpoint not in ENDPOINTS_BY_ROLE.get(current_user.role, set()):
        abort(403)


def visible_cases():
    """The cases the current user may open, as a SQL condition."""
    return case_access.visible(current_user)


def get_case_or_404(case_id: int) -> Case:
    case = db.session.scalar(select(Case).where(Case.id == case_id, visible_cases()))
    if case is None or assignment.is_excluded(case, current_user):
        abort(404)
    return case


def _next_due():
    return (select(Milestone.case_id, func.min(Milestone.due).label("due"))
            .where(Milestone.met_at.is_(None)).group_by(Milestone.case_id).subquery())


def _listing(condition, form: DeskFilterForm):
    due = _next_due()
    query = (select(Case, due.c.due).outerjoin(due, due.c.case_id == Case.id)
             .where(visible_cases(), condition))
    if form.state.data:
        query = query.where(Case.state == form.state.data)
    if form.kind.data:
        query = query.where(Case.kind == form.kind.data)
    today = milestones.local_day(utcnow())
    if form.late.data:
        query = query.where(due.c.due < today)
    rows = db.session.execute(query.order_by(due.c.due.is_(None), due.c.due, Case.id)).all()
    if form.q.data:  # marks and case forgiven alike on both databases (see text_match)
        rows = [row for row in rows
                if text_match.matches(form.q.data, row[0].subject, row[0].description or "")]
    soon = workdays.add_working_days(milestones.calendar(today), today, DUE_SOON_WORKING_DAYS)
    return [(case, _due(value), _urgency(_due(value), today, soon)) for case, value in rows]


def _due(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _urgency(due: date | None, today: date, soon: date) -> str:
    if due is None:
        return ""
    return "late" if due < today else ("soon" if due <= soon else "")


def _filter_form() -> DeskFilterForm:
    form = DeskFilterForm(request.args)
    form.state.choices = [("", _("All"))] + [(s.value, str(label)) for s, label in STATES.items()]
    form.kind.choices = [("", _("All"))] + [(k.value, str(label)) for k, label in KINDS.items()]
    return form


def _render_list(title: str, condition, endpoint: str):
    form = _filter_form()
    form.validate()
    return render_template("officer/desk.html", title=title, rows=_listing(condition, form),
                           form=form, endpoint=endpoint)


@bp.get("/")
def desk():
    return _render_list(_("My cases"), and_(Case.assignee_id == current_user.id,
                                            Case.state.in_(OPEN_STATES)), "officer.desk")


@bp.get("/queue")
def queue():
    return _render_list(_("The unit's queue"), Case.state.in_(OPEN_STATES), "officer.queue")


@bp.get("/late")
def late():
    today = milestones.local_day(utcnow())
    overdue = select(Milestone.case_id).where(Milestone.met_at.is_(None), Milestone.due < today)
    return _render_list(_("Late cases"), and_(Case.state.in_(OPEN_STATES), Case.id.in_(overdue)),
                        "officer.late")
