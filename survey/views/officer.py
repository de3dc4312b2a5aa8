"""The officer's desk: my cases by nearest deadline, the case page and its allowed steps.

Leaders also see their unit's queue, the Unassigned queue of their subtree, reassign, decide
extensions and see what is late; administrators see the whole Unassigned queue and assign from
it. Deny by default: each role reaches only the endpoints listed for it, and every case goes
through ``get_case_or_404``, which refuses the accused officer and anyone in conflict with them.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import and_

from survey.forms.cases import DeskFilterForm
from survey.models import Case, Role
from survey.models.base import utcnow
from survey.render.labels import KINDS, STATES
from survey.rules.workflow import OPEN_STATES
from survey.services import case_access
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


@bp.before_request
def _only_listed_endpoints():
    if request.endpoint not in ENDPOINTS_BY_ROLE.get(current_user.role, set()):
        abort(403)


def visible_cases():
    """The cases the current user may open, as a SQL condition."""
    return case_access.visible(current_user)


def get_case_or_404(case_id: int) -> Case:
    case = case_access.visible_case(case_id, current_user)
    if case is None:
        abort(404)
    return case


def _filter_form() -> DeskFilterForm:
    form = DeskFilterForm(request.args)
    form.state.choices = [("", _("All"))] + [(s.value, str(label)) for s, label in STATES.items()]
    form.kind.choices = [("", _("All"))] + [(k.value, str(label)) for k, label in KINDS.items()]
    return form


def _render_list(title: str, condition, endpoint: str):
    form = _filter_form()
    form.validate()
    rows = case_access.desk_rows(current_user, condition, utcnow(), state=form.state.data,
                                 kind=form.kind.data, late_only=form.late.data,
                                 search=form.q.data or "")
    return render_template("officer/desk.html", title=title, rows=rows, form=form,
                           endpoint=endpoint)


@bp.get("/")
def desk():
    return _render_list(_("My cases"), and_(Case.assignee_id == current_user.id,
                                            Case.state.in_(OPEN_STATES)), "officer.desk")


@bp.get("/queue")
def queue():
    return _render_list(_("The unit's queue"), Case.state.in_(OPEN_STATES), "officer.queue")


@bp.get("/late")
def late():
    return _render_list(_("Late cases"), case_access.late(case_access.Today.at(utcnow())),
                        "officer.late")
