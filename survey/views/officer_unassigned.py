"""The Unassigned queue: open cases nobody may hold yet, and taking or assigning them.

Leaders see the queue of their unit and below and may take a case or open it to reassign;
administrators see the whole queue and assign from it without reading the case's content
(same blueprint as ``officer``).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from survey.extensions import db
from survey.forms.admin import ConfirmForm
from survey.forms.base import add_error
from survey.forms.cases import ReassignForm
from survey.models import Case, Role, User
from survey.render.routing_text import describe_all
from survey.services import ServiceError, assignment, case_access
from survey.services.org import subtree_ids
from survey.views.officer import bp

PAGE_SIZE = 50
MAX_ID = 2**31 - 1  # a larger "after" is no case id; PostgreSQL would refuse the number


def _units() -> list[int] | None:
    """Where the current user may put a case: a leader's subtree; an administrator anywhere."""
    return None if current_user.role is Role.ADMIN else subtree_ids(current_user.unit_id)


def get_unassigned_or_404(case_id: int) -> Case:
    case = db.session.scalar(select(Case).where(Case.id == case_id,
                                                case_access.unassigned(current_user)))
    if case is None:
        abort(404)
    return case


@bp.get("/unassigned")
def unassigned():
    after = min(max(request.args.get("after", 0, type=int), 0), MAX_ID)
    condition = case_access.unassigned(current_user)
    cases = db.session.scalars(select(Case).where(condition, Case.id > after)
                               .order_by(Case.id).limit(PAGE_SIZE + 1)).all()
    more = len(cases) > PAGE_SIZE
    cases = cases[:PAGE_SIZE]
    total = db.session.scalar(select(func.count(Case.id)).where(condition))
    reasons = assignment.latest_reasons([case.id for case in cases])
    explained = {case.id: _explain(reasons.get(case.id, [])) for case in cases}
    return render_template("officer/unassigned.html", cases=cases, total=total,
                           explained=explained, confirm=ConfirmForm(),
                           next_after=cases[-1].id if more else None,
                           show_content=current_user.role is Role.LEADER)


def _explain(reasons: list[dict]) -> tuple[str, list[str]]:
    """The headline of why a case waits, and the routing steps that led there."""
    steps = describe_all(reasons)
    if reasons and reasons[-1].get("code") == "no_eligible_handler":
        return steps[-1], steps[:-1]
    # Its holder was taken off by hand or by an older version: the last routing is history.
    return _("Nobody holds it now"), steps


@bp.post("/unassigned/<int:case_id>/take")
def take(case_id: int):
    case = get_unassigned_or_404(case_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        assignment.reassign(case, current_user, actor=current_user, units=_units())
    except ServiceError as error:
        db.session.rollback()
        flash(str(error))
        return redirect(url_for("officer.unassigned"))
    db.session.commit()
    flash(_("The case is now yours."))
    return redirect(url_for("officer.show_case", case_id=case.id))


@bp.route("/unassigned/<int:case_id>/assign", methods=["GET", "POST"])
def assign_unassigned(case_id: int):
    case = get_unassigned_or_404(case_id)
    form = ReassignForm()
    form.officer_id.choices = [(u.id, f"{u.display_name} ({u.unit.name})")
                               for u in assignment.assignable_officers(case, _units())]
    if form.validate_on_submit():
        try:
            assignment.reassign(case, db.get_or_404(User, form.officer_id.data),
                                actor=current_user, units=_units())
        except ServiceError as error:
            db.session.rollback()
            add_error(form.officer_id, str(error))
        else:
            db.session.commit()
            flash(_("Case assigned."))
            return redirect(url_for("officer.unassigned"))
    reasons = describe_all(assignment.latest_reasons([case.id]).get(case.id, []))
    return render_template("officer/assign.html", case=case, form=form, reasons=reasons), \
        (400 if request.method == "POST" else 200)
