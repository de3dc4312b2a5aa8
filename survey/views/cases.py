"""Citizen pages for cases: choose a kind, file it, keep the receipt, follow it with the code.

No account and no JavaScript. The receipt code travels only in POST bodies and in the answer to
the filing POST itself (never in a URL or a cookie); pages that show it are never cached.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # 3.3; stubs: 3.2

from survey.extensions import db, limiter
from survey.forms.base import add_error
from survey.forms.cases import (
    CitizenMessageForm,
    ComplaintForm,
    DenunciationForm,
    FeedbackForm,
    RateAnswerForm,
    TrackForm,
    WithdrawForm,
)
from survey.models import Case, CaseKind, Counter, Procedure, Role, Unit, User
from survey.rules import case_thread, workflow
from survey.services import ServiceError, case_units, withdrawals
from survey.services import cases as case_service
from survey.views import receipt_pages

bp = Blueprint("cases", __name__)

FORMS = {CaseKind.FEEDBACK: FeedbackForm, CaseKind.COMPLAINT: ComplaintForm,
         CaseKind.DENUNCIATION: DenunciationForm}


@bp.get("/cases/new")
def new_case():
    """Choose what kind of case to file; one plain sentence says what each is for."""
    counter = request.args.get("counter", "")[:40]
    return render_template("cases/choose.html", kinds=list(CaseKind), counter=counter)


def _counter_from(code: str) -> Counter | None:
    if not code:
        return None
    return db.session.scalar(select(Counter).where(Counter.code == code, Counter.active.is_(True)))


def _unit_choices() -> list[SelectChoice]:
    """No unit chosen first (a guess would send the case astray), then one group per level."""
    return [SelectChoice("", _("— Choose an office —"))] + [
        SelectChoice(unit.id, unit.name, optgroup=level)
        for level, units in case_units.units_by_level() for unit in units]


def _fill_choices(form, counter: Counter | None) -> None:
    form.unit_id.choices = _unit_choices()
    offered = {c.value for c in form.unit_id.choices}
    unit_id = form.unit_id.data if form.unit_id.data in offered else None
    unit = db.session.get(Unit, unit_id) if unit_id else None
    procedures = unit.procedures if unit else []
    form.procedure.choices = [("", _("— Not specified —"))] + [(p.code, p.name) for p in procedures]
    if isinstance(form, DenunciationForm):
        staff = db.session.scalars(select(User).where(
            User.unit_id == unit_id, User.role.in_((Role.OFFICER, Role.LEADER)),
            User.active.is_(True)).order_by(User.display_name)).all() if unit_id else []
        form.accused_id.choices = [(0, _("— Not an officer here, or I don't know —"))] + [
            (u.id, u.display_name) for u in staff]


def _uploads(field) -> list[tuple[str, bytes]]:
    return [(f.filename or "file", f.read()) for f in (field.data or []) if f and f.filename]


def _new_case_from(form, kind: CaseKind, counter: Counter | None) -> case_service.NewCase:
    unit = db.session.get(Unit, form.unit_id.data)
    procedure = (db.session.scalar(select(Procedure).where(Procedure.code == form.procedure.data))
                 if form.procedure.data else None)
    new = case_service.NewCase(
        kind=kind, subject=form.subject.data, description=form.description.data, unit=unit,
        counter=counter if counter and unit and counter.unit_id == unit.id else None,
        procedure=procedure,
        name=(form.name.data or "").strip(), address=(form.address.data or "").strip(),
        phone=(form.phone.data or "").strip(), email=(form.email.data or "").strip(),
        files=_uploads(form.files), filing_key=receipt_pages.posted_filing_key(form),
        lang=str(get_locale()),
    )
    if kind is CaseKind.COMPLAINT:
        new.complaint_round = int(form.complaint_round.data)
        new.decision_complained = form.decision_complained.data
    if kind is CaseKind.DENUNCIATION:
        new.accused_description = form.accused_description.data
        new.accused = db.session.get(User, form.accused_id.data) if form.accused_id.data else None
    new.anonymous = bool(getattr(form, "anonymous", None) and form.anonymous.data)
    return new


def _is_refresh() -> bool:
    """The citizen asked for the chosen office's lists: nothing is checked or stored."""
    return request.method == "POST" and request.form.get("action") == "refresh"


@bp.route("/cases/new/<kind>", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"], exempt_when=_is_refresh)
def file_case(kind: str):
    try:
        case_kind = CaseKind(kind)
    except ValueError:
        abort(404)
    form = FORMS[case_kind]()
    counter = _counter_from(form.counter.data or request.args.get("counter", ""))
    if request.method == "GET" and counter is not None:
        form.counter.data, form.unit_id.data = counter.code, counter.unit_id
    _fill_choices(form, counter)
    error = None
    if _is_refresh():  # CSRFProtect has checked the token before the view ran
        return _render_file_form(form, case_kind, counter, None, 200)
    key = receipt_pages.posted_filing_key(form) if request.method == "POST" else ""
    if case_service.already_filed(key):  # a reload or a double tap: the case exists
        return _already_filed()
    if form.validate_on_submit():
        new = _new_case_from(form, case_kind, counter)
        filing = receipt_pages.file_once(new, key)
        if filing.already:
            return _already_filed()
        if filing.case is not None:
            return receipt_pages.render_receipt("cases/receipt.html", filing.case, filing.code,
                                                mailed=bool(new.email) and not new.anonymous)
        error = filing.error
    receipt_pages.keep_or_renew_key(form)
    return _render_file_form(form, case_kind, counter, error,
                             400 if request.method == "POST" else 200)


def _render_file_form(form, kind: CaseKind, counter: Counter | None, error: str | None,
                      status: int):
    # A browser cannot refill a file input: say so, rather than lose the files silently.
    files_dropped = any(f.filename for f in request.files.getlist("files"))
    return render_template("cases/file.html", form=form, kind=kind, counter=counter,
                           error=error, files_dropped=files_dropped), status


def _already_filed():
    return receipt_pages.no_store(render_template("cases/already_filed.html"))


@bp.get("/cases/receipt")
def receipt():
    """An old bookmark of the receipt page: the code is shown only once, on filing."""
    return render_template("cases/receipt.html", code=None, case=None)


def _deduct_on_miss(response) -> bool:
    return response.status_code == 404


@bp.route("/track", methods=["GET", "POST"])
@limiter.limit("10 per 10 minutes;40 per day", methods=["POST"], deduct_when=_deduct_on_miss)
def track():
    form = TrackForm()
    if not form.validate_on_submit():
        return render_template("cases/track.html", form=form)
    case = case_service.find_by_receipt(form.code.data)
    if case is None:
        add_error(form.code, _("No case matches this code. Check it and try again."))
        return render_template("cases/track.html", form=form), 404
    return _show_case(case, form.code.data)


@bp.post("/cases/receipt.pdf")
@limiter.limit("10 per 10 minutes;40 per day", deduct_when=_deduct_on_miss)
def receipt_pdf():
    """The receipt as an A4 or A5 PDF, for the code posted in the body."""
    return receipt_pages.posted_pdf()


def _show_case(case: Case, code: str, status: int = 200, message_form=None, rate_form=None,
               error: str | None = None, withdraw_form=None, sent: bool = False):
    """The tracking page: what was filed, the outcome, the thread, and the citizen's forms."""
    # formdata=None: a fresh form, not one refilled from this request (Flask-WTF's default), so a
    # sent addition leaves an empty box rather than an invitation to send it twice.
    message_form = message_form or CitizenMessageForm(formdata=None, code=code)
    rate_form = rate_form or RateAnswerForm(formdata=None, code=code)
    can_withdraw = workflow.can_withdraw(case.kind, case.state)
    return receipt_pages.no_store(render_template(
        "cases/status.html", case=case, code=code, error=error, sent=sent,
        thread=case_thread.thread(case.messages, case.attachments, case.resolved_at is not None),
        filed_files=case_thread.filed_files(case.attachments),
        outcome_kind=case_thread.outcome_kind(case.state.value, case.resolved_at,
                                              case.reopened_count),
        message_form=message_form, rate_form=rate_form,
        can_rate=case.citizen_satisfied is None and case.state.value in ("resolved", "closed"),
        can_reopen=case_service.can_reopen(case),
        can_write=case.state not in case_service.ENDED_STATES,
        suspension=case_service.suspension(case),
        withdraw_form=(withdraw_form or WithdrawForm(formdata=None, code=code))
        if can_withdraw else None,
    ), status)


def _case_from_hidden_code(form) -> Case:
    case = case_service.find_by_receipt(form.code.data or "")
    if case is None:
        abort(404)
    return case


@bp.post("/track/message")
@limiter.limit("20 per hour")
def track_message():
    form = CitizenMessageForm()
    case = _case_from_hidden_code(form)
    if form.validate_on_submit():
        try:
            case_service.citizen_message(case, form.body.data or "", _uploads(form.files))
        except ServiceError as exc:
            db.session.rollback()
            add_error(form.body, str(exc))
        else:
            db.session.commit()
            return _show_case(case, form.code.data, sent=True)
    return _show_case(case, form.code.data, 400, message_form=form)


@bp.post("/track/rate")
@limiter.limit("20 per hour")
def track_rate():
    form = RateAnswerForm()
    case = _case_from_hidden_code(form)
    if form.validate_on_submit():
        try:
            case_service.rate_answer(case, form.satisfied.data == "yes", form.reason.data or "")
        except ServiceError as exc:
            db.session.rollback()
            return _show_case(case, form.code.data, 400, error=str(exc))
        db.session.commit()
        return _show_case(case, form.code.data)
    return _show_case(case, form.code.data, 400, rate_form=form)


@bp.post("/track/withdraw")
@limiter.limit("20 per hour")
def track_withdraw():
    """The citizen withdraws the case, or some of its points, with the receipt code."""
    form = WithdrawForm()
    case = _case_from_hidden_code(form)
    if form.validate_on_submit():
        try:
            withdrawals.withdraw(case, whole=form.scope.data == "whole",
                                 points=form.points.data or "", reason=form.reason.data or "")
        except ServiceError as exc:
            db.session.rollback()
            return _show_case(case, form.code.data, 400, error=str(exc))
        db.session.commit()
        return _show_case(case, form.code.data)
    return _show_case(case, form.code.data, 400, withdraw_form=form)
