"""Administration: overview, units, counters (QR codes, duty officer), procedures, questionnaires.

Deny by default: everyone here is logged in and staff; leaders reach only ``LEADER_ENDPOINTS``
and only for their own subtree; every other endpoint is for administrators.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from survey.extensions import db
from survey.forms.admin import (
    ConfirmForm,
    CounterForm,
    DutyForm,
    ProcedureForm,
    TokensForm,
    UnitForm,
)
from survey.forms.base import add_error, required
from survey.models import Counter, Procedure, Questionnaire, Role, Unit, User
from survey.models.base import utcnow
from survey.services import ServiceError
from survey.services import org as org_service
from survey.services import overview as overview_service
from survey.services.questionnaires import definition_of
from survey.services.tokens import issue_tokens, unused_links
from survey.web.security import require_roles
from survey.web.urls import survey_url

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(require_roles(Role.ADMIN, Role.LEADER))

LEADER_ENDPOINTS = {"admin.dashboard", "admin.list_counters", "admin.show_counter",
                    "admin.set_duty", "admin.counter_qr", "admin.counter_poster",
                    "admin.issue_links"}


@bp.before_request
def _leaders_only_where_allowed():
    if current_user.role is Role.LEADER and request.endpoint not in LEADER_ENDPOINTS:
        abort(403)


def visible_unit_ids() -> list[int] | None:
    """None means every unit (administrators)."""
    if current_user.role is Role.ADMIN:
        return None
    return org_service.subtree_ids(current_user.unit_id)


def get_counter_or_404(counter_id: int) -> Counter:
    counter = db.session.get(Counter, counter_id)
    allowed = visible_unit_ids()
    if counter is None or (allowed is not None and counter.unit_id not in allowed):
        abort(404)
    return counter


def _unit_choices(allow_none: bool = False) -> list[tuple[int, str]]:
    choices = [(u.id, "\u2002" * depth + f"{u.name} ({u.code})")
               for u, depth in org_service.ordered_units()]
    return ([(0, _("— None (top level) —"))] if allow_none else []) + choices


@bp.get("/")
def dashboard():
    figures = overview_service.overview(visible_unit_ids(), utcnow())
    return render_template("admin/dashboard.html", **figures)


# ---- units -------------------------------------------------------------------------------------

@bp.get("/units")
def list_units():
    return render_template("admin/units.html", units=org_service.ordered_units())


@bp.route("/units/new", methods=["GET", "POST"])
@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
def edit_unit(unit_id: int | None = None):
    unit = db.session.get(Unit, unit_id) if unit_id else None
    if unit_id and unit is None:
        abort(404)
    form = UnitForm(obj=unit)
    form.parent_id.choices = _unit_choices(allow_none=True)
    if request.method == "GET" and unit is not None:
        form.parent_id.data = unit.parent_id or 0
    if form.validate_on_submit():
        parent = db.session.get(Unit, form.parent_id.data) if form.parent_id.data else None
        try:
            org_service.save_unit(unit, code=required(form.code.data),
                                  name=required(form.name.data), level=required(form.level.data),
                                  parent=parent, actor=current_user)
        except ServiceError as error:
            db.session.rollback()
            add_error(form.code, str(error))
        else:
            db.session.commit()
            flash(_("Unit saved."))
            return redirect(url_for("admin.list_units"))
    return render_template("admin/edit_unit.html", form=form, unit=unit)


# ---- counters ----------------------------------------------------------------------------------

@bp.get("/counters")
def list_counters():
    query = select(Counter).join(Unit).order_by(Unit.name, Counter.code)
    allowed = visible_unit_ids()
    if allowed is not None:
        query = query.where(Counter.unit_id.in_(allowed))
    return render_template("admin/counters.html", counters=db.session.scalars(query).all())


@bp.route("/counters/new", methods=["GET", "POST"])
@bp.route("/counters/<int:counter_id>/edit", methods=["GET", "POST"])
def edit_counter(counter_id: int | None = None):
    counter = get_counter_or_404(counter_id) if counter_id else None
    form = CounterForm(obj=counter)
    form.unit_id.choices = _unit_choices()
    if form.validate_on_submit():
        unit = db.get_or_404(Unit, form.unit_id.data)  # one of the choices, so it exists
        try:
            counter = org_service.save_counter(counter, unit=unit, code=required(form.code.data),
                                               name=required(form.name.data),
                                               active=form.active.data, actor=current_user)
        except ServiceError as error:
            db.session.rollback()
            add_error(form.code, str(error))
        else:
            db.session.commit()
            flash(_("Counter saved."))
            return redirect(url_for("admin.show_counter", counter_id=counter.id))
    return render_template("admin/edit_counter.html", form=form, counter=counter)


@bp.get("/counters/<int:counter_id>")
def show_counter(counter_id: int):
    counter = get_counter_or_404(counter_id)
    duty = DutyForm(officer_id=counter.officer_on_duty_id or 0)
    duty.officer_id.choices = [(0, _("— Nobody —"))] + [
        (u.id, u.display_name) for u in org_service.eligible_duty_officers(counter)]
    return render_template("admin/counter.html", counter=counter, url=survey_url(counter),
                           duty_form=duty, tokens_form=TokensForm())


@bp.get("/counters/<int:counter_id>/qr.svg")
def counter_qr(counter_id: int):
    from survey.render import qr  # fpdf and PIL take most of a second to import: only when needed

    counter = get_counter_or_404(counter_id)
    return Response(qr.svg(survey_url(counter)), mimetype="image/svg+xml")


@bp.get("/counters/<int:counter_id>/poster.pdf")
def counter_poster(counter_id: int):
    from survey.render import qr

    counter = get_counter_or_404(counter_id)
    pdf = qr.posters([qr.PosterInfo(url=survey_url(counter), unit=counter.unit.name,
                                    counter=counter.name)])
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="poster-{counter.code}.pdf"'})


@bp.route("/counters/<int:counter_id>/regenerate", methods=["GET", "POST"])
def regenerate_code(counter_id: int):
    """Say what a new code does to posters and links, and make one only once confirmed."""
    counter = get_counter_or_404(counter_id)
    form = ConfirmForm()
    if request.form.get("confirm") == "yes" and form.validate_on_submit():
        org_service.regenerate_survey_code(counter, actor=current_user)
        db.session.commit()
        flash(_("A new code was made. The old QR code no longer works: print the new poster."))
        return redirect(url_for("admin.show_counter", counter_id=counter.id))
    return render_template("admin/regenerate_code.html", counter=counter, url=survey_url(counter),
                           form=form, unused_links=unused_links(counter))


@bp.post("/counters/<int:counter_id>/duty")
def set_duty(counter_id: int):
    counter = get_counter_or_404(counter_id)
    form = DutyForm()
    form.officer_id.choices = [(0, "")] + [(u.id, u.display_name)
                                           for u in org_service.eligible_duty_officers(counter)]
    if form.validate_on_submit():
        officer = db.session.get(User, form.officer_id.data) if form.officer_id.data else None
        try:
            org_service.set_officer_on_duty(counter, officer, actor=current_user)
        except ServiceError as error:
            db.session.rollback()
            flash(str(error))
        else:
            db.session.commit()
            flash(_("Officer on duty updated."))
    else:
        flash(_("Please choose an officer of this unit."))
    return redirect(url_for("admin.show_counter", counter_id=counter.id))


@bp.post("/counters/<int:counter_id>/links")
def issue_links(counter_id: int):
    """Issue one-time links and show them once, as a printable sheet of QR codes."""
    from survey.render import qr

    counter = get_counter_or_404(counter_id)
    form = TokensForm()
    if not form.validate_on_submit():
        flash(_("Choose between 1 and 500 links."))
        return redirect(url_for("admin.show_counter", counter_id=counter.id))
    tokens = issue_tokens(counter, required(form.count.data), officer=counter.officer_on_duty,
                          actor=current_user)
    db.session.commit()
    urls = [survey_url(counter, token=t) for t in tokens]
    return render_template("admin/links.html", counter=counter,
                           links=[(u, qr.svg_data_uri(u)) for u in urls])


# ---- procedures and questionnaires -------------------------------------------------------------

@bp.get("/procedures")
def list_procedures():
    procedures = db.session.scalars(
        select(Procedure).order_by(Procedure.field, Procedure.code)).all()
    return render_template("admin/procedures.html", procedures=procedures)


@bp.route("/procedures/new", methods=["GET", "POST"])
@bp.route("/procedures/<int:procedure_id>", methods=["GET", "POST"])
def edit_procedure(procedure_id: int | None = None):
    procedure = db.session.get(Procedure, procedure_id) if procedure_id else None
    if procedure_id and procedure is None:
        abort(404)
    form = ProcedureForm(obj=procedure)
    form.unit_ids.choices = _unit_choices()
    if request.method == "GET" and procedure is not None:
        form.unit_ids.data = [u.id for u in db.session.scalars(
            select(Unit).where(Unit.procedures.contains(procedure)))]
    if form.validate_on_submit():
        units = list(db.session.scalars(select(Unit).where(Unit.id.in_(form.unit_ids.data or []))))
        try:
            org_service.save_procedure(procedure, code=required(form.code.data),
                                       name=required(form.name.data),
                                       field=required(form.field.data),
                                       processing_days=form.processing_days.data, units=units,
                                       actor=current_user)
        except ServiceError as error:
            db.session.rollback()
            add_error(form.code, str(error))
        else:
            db.session.commit()
            flash(_("Procedure saved."))
            return redirect(url_for("admin.list_procedures"))
    return render_template("admin/edit_procedure.html", form=form, procedure=procedure)


@bp.get("/questionnaires")
def list_questionnaires():
    questionnaires = db.session.scalars(select(Questionnaire).order_by(Questionnaire.code)).all()
    return render_template("admin/questionnaires.html", questionnaires=questionnaires)


@bp.get("/questionnaires/<code>")
def show_questionnaire(code: str):
    questionnaire = db.session.scalar(select(Questionnaire).where(Questionnaire.code == code))
    if questionnaire is None:
        abort(404)
    version_number = request.args.get("version", type=int)
    version = next((v for v in questionnaire.versions if v.version == version_number),
                   questionnaire.current)
    if version is None:  # a questionnaire is stored with its first version; none is current
        abort(404)
    return render_template("admin/questionnaire.html", questionnaire=questionnaire,
                           version=version, definition=definition_of(version))
