"""The identity custodian's pages: denouncers' identities and held-back files, each look audited.

A custodian keeps the denunciations of their own unit and the units below it, nothing else.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import and_, func, or_, select

from survey.extensions import db
from survey.forms.admin import ConfirmForm
from survey.forms.base import add_error, required
from survey.forms.cases import RevealForm
from survey.models import Case, CaseKind, Role
from survey.services import ServiceError, audit
from survey.services import cases as case_service
from survey.services.org import subtree_ids
from survey.views.files import send_attachment
from survey.web.security import require_roles

bp = Blueprint("custody", __name__, url_prefix="/officer/custody")
bp.before_request(require_roles(Role.CUSTODIAN))

NO_STORE = {"Cache-Control": "no-store"}


PAGE_SIZE = 50


def in_custody():
    """The denunciations this custodian keeps: those of their unit and the units below it."""
    units = subtree_ids(current_user.unit_id)
    return and_(Case.kind == CaseKind.DENUNCIATION,
                or_(Case.unit_id.in_(units), Case.handling_unit_id.in_(units)))


def get_denunciation_or_404(case_id: int) -> Case:
    case = db.session.scalar(select(Case).where(Case.id == case_id, in_custody()))
    if case is None:
        abort(404)
    return case


@bp.get("/")
def list_denunciations():
    page = min(max(request.args.get("page", 1, type=int), 1), 100_000)
    total = db.session.scalar(select(func.count(Case.id)).where(in_custody())) or 0
    cases = db.session.scalars(select(Case).where(in_custody())
                               .order_by(Case.received_at.desc(), Case.id.desc())
                               .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return render_template("custody/list.html", cases=cases, page=page, total=total,
                           per_page=PAGE_SIZE)


@bp.get("/cases/<int:case_id>")
def show(case_id: int):
    case = get_denunciation_or_404(case_id)
    return render_template("custody/case.html", case=case, form=RevealForm(),
                           confirm=ConfirmForm(), person=None)


@bp.post("/cases/<int:case_id>/reveal")
def reveal(case_id: int):
    case = get_denunciation_or_404(case_id)
    form = RevealForm()
    person = None
    if form.validate_on_submit():
        try:
            person = case_service.reveal_identity(case, required(form.reason.data),
                                                  actor=current_user)
        except ServiceError as error:
            db.session.rollback()
            add_error(form.reason, str(error))
        else:
            db.session.commit()
    page = render_template("custody/case.html", case=case, form=form, confirm=ConfirmForm(),
                           person=person, revealed=form.errors == {})
    return Response(page, status=200 if not form.errors else 400, headers=NO_STORE)


@bp.get("/cases/<int:case_id>/files/<int:file_id>")
def view_file(case_id: int, file_id: int):
    """The held file under its own name; ``?preview=1`` opens an image or a PDF in the browser."""
    case = get_denunciation_or_404(case_id)
    attachment = next((a for a in case.attachments if a.id == file_id), None)
    if attachment is None:
        abort(404)
    audit.record("held_file_viewed", case_id=case.id, actor=current_user, attachment=attachment.id)
    db.session.commit()
    return send_attachment(attachment, preview=request.args.get("preview") == "1")


@bp.post("/cases/<int:case_id>/files/<int:file_id>/clear")
def clear_file(case_id: int, file_id: int):
    case = get_denunciation_or_404(case_id)
    if ConfirmForm().validate_on_submit():
        try:
            case_service.clear_attachment(case, file_id, actor=current_user)
        except ServiceError:
            abort(404)
        db.session.commit()
        flash(_("The file is now visible to the handlers."))
    return redirect(url_for("custody.show", case_id=case.id))
