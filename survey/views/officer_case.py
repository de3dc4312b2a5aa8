"""The case page of the officer's desk and its actions (same blueprint as ``officer``)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from survey.extensions import db
from survey.forms.base import add_error, required
from survey.forms.cases import (
    ActionForm,
    DecideExtensionForm,
    ExtensionForm,
    NoteForm,
    ReassignForm,
    ReplyForm,
)
from survey.forms.intake import RecordWithdrawalForm
from survey.models import AuditEvent, Case, ExtensionRequest, Role, User
from survey.models.base import utcnow
from survey.render.routing_text import describe_all
from survey.rules import workflow
from survey.rules.workflow import can_withdraw, staff_actions
from survey.services import ServiceError, assignment, milestones
from survey.services import cases as case_service
from survey.services.org import subtree_ids
from survey.views.files import send_attachment
from survey.views.officer import bp, get_case_or_404, visible_cases


def _reassign_form(case) -> ReassignForm | None:
    if current_user.role is not Role.LEADER or not workflow.is_open(case.state):
        return None  # a closed case has nobody to hand it to
    form = ReassignForm()
    form.officer_id.choices = [
        (u.id, f"{u.display_name} ({u.unit.name})")
        for u in assignment.assignable_officers(case, subtree_ids(current_user.unit_id))]
    return form


def _routing_steps(events) -> dict[int, list[str]]:
    """Each routing event's reasons in words, so the holder sees why the case came to them."""
    return {event.id: describe_all(event.detail.get("reasons", [])) for event in events
            if event.action in ("assigned", "rerouted")}


def _page(case, status: int = 200, **forms):
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)
                                .order_by(AuditEvent.id)).all()
    actors = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_({e.actor_id for e in events if e.actor_id})))}
    pending = db.session.scalars(select(ExtensionRequest).where(
        ExtensionRequest.case_id == case.id, ExtensionRequest.approved.is_(None))).all()
    return render_template(
        "officer/case.html", case=case, events=events, actors=actors,
        actions=staff_actions(case.state, leader=current_user.role is Role.LEADER),
        action_form=forms.get("action") or ActionForm(), **_law_context(case, events, actors,
                                                                       forms.get("withdrawal")),
        note_form=forms.get("note") or NoteForm(), reply_form=forms.get("reply") or ReplyForm(),
        extension_form=forms.get("extension") or ExtensionForm(),
        reassign_form=forms.get("reassign") or _reassign_form(case),
        decide_form=DecideExtensionForm(), pending_extensions=pending,
        routing_steps=_routing_steps(events),
        files=[a for a in case.attachments if a.cleared_for_handlers],
        held_files=sum(1 for a in case.attachments if not a.cleared_for_handlers),
    ), status


def _law_context(case, events, actors, withdrawal_form) -> dict:
    """Who recorded a paper case, a suspension in force, the written-withdrawal form."""
    filed = next((e for e in events if e.action == "filed"), None)
    if withdrawal_form is None and can_withdraw(case.kind, case.state):
        today = milestones.local_day(utcnow())
        withdrawal_form = RecordWithdrawalForm(today=today, received_on=today)
    return {"recorded_by": actors.get(filed.actor_id) if filed and filed.actor_id else None,
            "suspension": case_service.suspension(case),
            "withdrawal_form": withdrawal_form if can_withdraw(case.kind, case.state) else None}


@bp.get("/cases/<int:case_id>")
def show_case(case_id: int):
    return _page(get_case_or_404(case_id))


def _done(case, message: str):
    db.session.commit()
    flash(message)
    return redirect(url_for("officer.show_case", case_id=case.id))


@bp.post("/cases/<int:case_id>/act")
def act(case_id: int):
    case = get_case_or_404(case_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            case_service.take_action(case, required(form.action.data), actor=current_user,
                                     text=form.text.data or "",
                                     forwarded_to=form.forwarded_to.data or "",
                                     lang=str(get_locale()))
        except ServiceError as error:
            db.session.rollback()
            add_error(form.text, str(error))
        else:
            return _done(case, _("Done."))
    return _page(get_case_or_404(case_id), 400, action=form)


@bp.post("/cases/<int:case_id>/notes")
def add_note(case_id: int):
    case = get_case_or_404(case_id)
    form = NoteForm()
    if form.validate_on_submit():
        case_service.add_note(case, required(form.body.data), actor=current_user)
        return _done(case, _("Note saved."))
    return _page(case, 400, note=form)


@bp.post("/cases/<int:case_id>/replies")
def reply(case_id: int):
    case = get_case_or_404(case_id)
    form = ReplyForm()
    if form.validate_on_submit():
        case_service.reply(case, required(form.body.data), actor=current_user,
                           lang=str(get_locale()))
        return _done(case, _("Reply sent."))
    return _page(case, 400, reply=form)


@bp.post("/cases/<int:case_id>/extension")
def request_extension(case_id: int):
    case = get_case_or_404(case_id)
    form = ExtensionForm()
    if form.validate_on_submit():
        try:
            case_service.request_extension(case, required(form.reason.data),
                                           int(form.complexity.data), actor=current_user)
        except ServiceError as error:
            db.session.rollback()
            add_error(form.reason, str(error))
        else:
            return _done(case, _("Extension requested: the leader decides."))
    return _page(get_case_or_404(case_id), 400, extension=form)


@bp.post("/cases/<int:case_id>/reassign")
def reassign(case_id: int):
    case = get_case_or_404(case_id)
    form = _reassign_form(case)
    if form is None:
        abort(404)  # a closed case offers no reassignment
    if form.validate_on_submit():
        officer = db.get_or_404(User, form.officer_id.data)  # one of the choices, so it exists
        try:
            assignment.reassign(case, officer, actor=current_user,
                                units=subtree_ids(current_user.unit_id))
        except ServiceError as error:
            db.session.rollback()
            add_error(form.officer_id, str(error))
        else:
            return _done(case, _("Case reassigned."))
    return _page(get_case_or_404(case_id), 400, reassign=form)


@bp.post("/extensions/<int:request_id>")
def decide_extension(request_id: int):
    extension = db.session.get(ExtensionRequest, request_id)
    if extension is None:
        abort(404)
    case = get_case_or_404(extension.case_id)
    form = DecideExtensionForm()
    if form.validate_on_submit() and form.decision.data in ("approve", "refuse"):
        try:
            case_service.decide_extension(extension, form.decision.data == "approve",
                                          actor=current_user)
        except ServiceError as error:
            db.session.rollback()
            flash(str(error))
            return redirect(url_for("officer.show_case", case_id=case.id))
        return _done(case, _("Extension decided."))
    abort(400)


@bp.get("/extensions")
def extensions():
    items = db.session.execute(
        select(ExtensionRequest, Case).join(Case, Case.id == ExtensionRequest.case_id)
        .where(ExtensionRequest.approved.is_(None), visible_cases())
        .order_by(ExtensionRequest.requested_at)).all()
    return render_template("officer/extensions.html", items=items, form=DecideExtensionForm())


@bp.get("/cases/<int:case_id>/files/<int:file_id>")
def download(case_id: int, file_id: int):
    """The file under its own name; ``?preview=1`` opens an image or a PDF in the browser."""
    case = get_case_or_404(case_id)
    attachment = next((a for a in case.attachments if a.id == file_id and a.cleared_for_handlers),
                      None)
    if attachment is None:
        abort(404)
    return send_attachment(attachment, preview=request.args.get("preview") == "1")
