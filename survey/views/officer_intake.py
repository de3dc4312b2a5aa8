"""The officer's intake (same blueprint as ``officer``): cases and withdrawals received on paper.

A case received in person, by post, by phone or forwarded by another body is filed through the
same ``open_case`` as an online one (routing, deadlines and audit alike); the officer then sees
the receipt once, to print it or hand over its PDF. Like the citizen's, the receipt is the answer
to the POST itself and is never cached, and a re-sent form records nothing twice.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from survey.extensions import db
from survey.forms.base import add_error, required
from survey.forms.intake import RecordCaseForm, RecordWithdrawalForm
from survey.models import CaseChannel, CaseKind, Role, Unit, User
from survey.models.base import utcnow
from survey.services import ServiceError, milestones, withdrawals
from survey.services import cases as case_service
from survey.services.org import subtree_ids
from survey.views import receipt_pages
from survey.views.officer import bp, get_case_or_404
from survey.views.officer_case import _page as case_page


def _today():
    return milestones.local_day(utcnow())


def _fill_choices(form: RecordCaseForm) -> None:
    """The officer's unit and the units below it; officers of those units for the accused."""
    ids = subtree_ids(current_user.unit_id)
    units = db.session.scalars(select(Unit).where(Unit.id.in_(ids)).order_by(Unit.name)).all()
    form.unit_id.choices = [(u.id, u.name) for u in units]
    staff = db.session.scalars(select(User).where(
        User.unit_id.in_(ids), User.role.in_((Role.OFFICER, Role.LEADER)),
        User.active.is_(True)).order_by(User.display_name)).all()
    form.accused_id.choices = [(0, _("— Nobody here, or not known —"))] + [
        (u.id, f"{u.display_name} ({u.unit.name})") for u in staff]


def _text(field) -> str:
    return (field.data or "").strip()


def _new_case(form: RecordCaseForm) -> case_service.NewCase:
    kind = CaseKind(form.kind.data)
    anonymous = bool(form.anonymous.data) and kind is not CaseKind.COMPLAINT
    new = case_service.NewCase(
        kind=kind, subject=required(form.subject.data),
        description=required(form.description.data),
        unit=db.session.get(Unit, form.unit_id.data), anonymous=anonymous,
        name=_text(form.name), address=_text(form.address), phone=_text(form.phone),
        email=_text(form.email),
        files=[(f.filename or "file", f.read()) for f in (form.files.data or [])
               if f and f.filename],
        channel=CaseChannel(form.channel.data), received_on=form.received_on.data,
        forwarded_from=_text(form.forwarded_from),
        forwarded_from_ref=_text(form.forwarded_from_ref),
        recorded_by=current_user._get_current_object(), consent_on_paper=bool(form.consent.data),
        filing_key=receipt_pages.posted_filing_key(form))
    if kind is CaseKind.COMPLAINT:
        new.complaint_round = 2 if form.complaint_round.data == "2" else 1
        new.decision_complained = _text(form.decision_complained)
    if kind is CaseKind.DENUNCIATION:
        new.accused_description = _text(form.accused_description)
        new.accused = db.session.get(User, form.accused_id.data) if form.accused_id.data else None
    return new


@bp.route("/record", methods=["GET", "POST"])
def record_case():
    """Record a case received on paper, in person, by phone or forwarded by another body."""
    form = RecordCaseForm(today=_today())
    _fill_choices(form)
    if request.method == "GET":
        form.received_on.data, form.unit_id.data = _today(), current_user.unit_id
        form.filing_key.data = receipt_pages.new_filing_key()
    key = receipt_pages.posted_filing_key(form) if request.method == "POST" else ""
    if case_service.already_filed(key):  # a reload or a double click: it is recorded
        return receipt_pages.no_store(render_template("officer/already_recorded.html"))
    error = None
    if form.validate_on_submit():
        new = _new_case(form)
        filing = receipt_pages.file_once(new, key)
        if filing.already:
            return receipt_pages.no_store(render_template("officer/already_recorded.html"))
        if filing.case is not None:
            return receipt_pages.render_receipt("officer/receipt.html", filing.case, filing.code,
                                                mailed=bool(new.email) and not new.anonymous)
        error = filing.error
    receipt_pages.keep_or_renew_key(form)
    files_dropped = any(f.filename for f in request.files.getlist("files"))
    return render_template("officer/record_case.html", form=form, error=error,
                           files_dropped=files_dropped), 400 if request.method == "POST" else 200


@bp.post("/receipt.pdf")
def receipt_pdf():
    """The receipt PDF of a case just recorded: the code comes in the body, as for citizens."""
    return receipt_pages.posted_pdf()


@bp.post("/cases/<int:case_id>/withdrawal")
def record_withdrawal(case_id: int):
    """Record the citizen's written withdrawal (in whole or in part) received on paper."""
    case = get_case_or_404(case_id)
    form = RecordWithdrawalForm(today=_today())
    if form.validate_on_submit():
        try:
            withdrawals.withdraw(case, whole=form.scope.data == "whole",
                                 points=form.points.data or "", reason=form.reason.data or "",
                                 recorded_by=current_user._get_current_object(),
                                 received_on=form.received_on.data, lang=str(get_locale()))
        except ServiceError as exc:
            db.session.rollback()
            add_error(form.reason, str(exc))
        else:
            db.session.commit()
            flash(_("Withdrawal recorded."))
            return redirect(url_for("officer.show_case", case_id=case.id))
    return case_page(get_case_or_404(case_id), 400, withdrawal=form)
