"""Administration of rules as data: routing (with a "try it" box), conflicts, the calendar."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from survey.extensions import db
from survey.forms.admin import (
    CalendarOverrideForm,
    ConfirmForm,
    ConflictForm,
    IntakeForm,
    RoutingRuleForm,
    TryRoutingForm,
)
from survey.forms.base import add_error
from survey.models import (
    CalendarOverride,
    ConflictOfInterest,
    DayKind,
    Role,
    RoutingRule,
    Unit,
    User,
)
from survey.render.labels import KINDS
from survey.render.routing_text import describe_all, rule_label
from survey.rules import routing
from survey.services import ServiceError, assignment, settings
from survey.services import rules as rule_service
from survey.views.admin import _unit_choices, bp


def _kind_choices(blank: str | None) -> list[tuple[str, str]]:
    choices = [(k.value, str(label)) for k, label in KINDS.items()]
    return ([("", blank)] if blank else []) + choices


def _staff_choices() -> list[tuple[int, str]]:
    users = db.session.scalars(select(User).where(User.role.in_((Role.OFFICER, Role.LEADER)))
                               .order_by(User.display_name))
    return [(u.id, f"{u.display_name} ({u.unit.name})") for u in users]


def _try_it() -> tuple[TryRoutingForm, dict | None]:
    """Answer "where would this case go?" with the very function that routes real cases."""
    form = TryRoutingForm(request.args)
    form.kind.choices = _kind_choices(None)
    form.unit_id.choices = [(0, _("— Not given —"))] + _unit_choices()
    form.accused_id.choices = [(0, _("— Nobody —"))] + _staff_choices()
    if "kind" not in request.args or not form.validate():
        return form, None
    facts = routing.CaseFacts(kind=form.kind.data, unit_id=form.unit_id.data or None,
                              procedure_field=form.procedure_field.data or None,
                              topic=form.topic.data or None,
                              accused_user_id=form.accused_id.data or None)
    decision = assignment.plan(facts)
    unit = db.session.get(Unit, decision.handling_unit_id) if decision.handling_unit_id else None
    holder = db.session.get(User, decision.assignee_id) if decision.assignee_id else None
    return form, {"unit": unit, "holder": holder,
                  "reasons": describe_all(r.as_json() for r in decision.reasons)}


def _intake_form() -> IntakeForm:
    # Prefixed: the "try it" form on the same page has its own unit_id field.
    form = IntakeForm(prefix="intake", unit_id=settings.intake_unit_id() or 0)
    form.unit_id.choices = [(0, _("— Not set —"))] + _unit_choices()
    return form


@bp.get("/routing")
def list_rules():
    rules = db.session.scalars(select(RoutingRule).order_by(RoutingRule.id)).all()
    form, decision = _try_it()
    units = {unit.id: unit.name for unit in db.session.scalars(select(Unit))}
    return render_template("admin/routing.html", rules=rules, try_form=form, decision=decision,
                           intake_form=_intake_form(), confirm=ConfirmForm(),
                           labels={rule.id: rule_label(rule, units) for rule in rules},
                           off_desk=len(assignment.off_desk()))


@bp.post("/routing/intake")
def set_intake():
    form = _intake_form()
    if form.validate_on_submit() and (form.unit_id.data == 0
                                      or db.session.get(Unit, form.unit_id.data)):
        settings.put(settings.INTAKE_UNIT, form.unit_id.data or None, actor=current_user)
        assignment.repair("intake_changed", actor=current_user)
        db.session.commit()
        flash(_("Intake office saved."))
    return redirect(url_for("admin.list_rules"))


@bp.post("/routing/<int:rule_id>/delete")
def delete_rule(rule_id: int):
    rule = db.session.get(RoutingRule, rule_id)
    if rule is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        rule_service.delete_rule(rule, actor=current_user)
        db.session.commit()
        flash(_("Routing rule deleted; open cases keep their handlers."))
    return redirect(url_for("admin.list_rules"))


@bp.route("/routing/new", methods=["GET", "POST"])
@bp.route("/routing/<int:rule_id>", methods=["GET", "POST"])
def edit_rule(rule_id: int | None = None):
    rule = db.session.get(RoutingRule, rule_id) if rule_id else None
    if rule_id and rule is None:
        abort(404)
    form = RoutingRuleForm(obj=rule)
    form.kind.choices = _kind_choices(_("— Any kind —"))
    form.unit_id.choices = [(0, _("— Any office —"))] + _unit_choices()
    form.handling_unit_id.choices = _unit_choices()
    if request.method == "GET" and rule is not None:
        form.unit_id.data = rule.unit_id or 0
    if form.validate_on_submit():
        rule_service.save_rule(rule, actor=current_user, kind=form.kind.data,
                               unit_id=form.unit_id.data, procedure_field=form.procedure_field.data,
                               topic=form.topic.data, handling_unit_id=form.handling_unit_id.data,
                               note=form.note.data, active=form.active.data)
        db.session.commit()
        flash(_("Routing rule saved."))
        return redirect(url_for("admin.list_rules"))
    return render_template("admin/edit_rule.html", form=form, rule=rule)


@bp.route("/conflicts", methods=["GET", "POST"])
def conflicts():
    form = ConflictForm()
    form.user_a_id.choices = form.user_b_id.choices = _staff_choices()
    if form.validate_on_submit():
        try:
            rule_service.declare_conflict(db.session.get(User, form.user_a_id.data),
                                          db.session.get(User, form.user_b_id.data),
                                          form.reason.data, actor=current_user)
        except ServiceError as error:
            db.session.rollback()
            add_error(form.user_b_id, str(error))
        else:
            db.session.commit()
            flash(_("Conflict of interest declared; open cases were checked."))
            return redirect(url_for("admin.conflicts"))
    declared = db.session.scalars(select(ConflictOfInterest).order_by(ConflictOfInterest.id)).all()
    return render_template("admin/conflicts.html", form=form, declared=declared,
                           confirm=ConfirmForm()), (400 if form.errors else 200)


@bp.post("/conflicts/<int:conflict_id>/delete")
def delete_conflict(conflict_id: int):
    conflict = db.session.get(ConflictOfInterest, conflict_id)
    if conflict is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        rule_service.remove_conflict(conflict, actor=current_user)
        db.session.commit()
        flash(_("Conflict removed."))
    return redirect(url_for("admin.conflicts"))


@bp.route("/calendar", methods=["GET", "POST"])
def calendar():
    form = CalendarOverrideForm()
    if form.validate_on_submit():
        rule_service.set_calendar_day(form.day.data, DayKind(form.kind.data), form.note.data,
                                      actor=current_user)
        db.session.commit()
        flash(_("Calendar updated; deadlines of open cases were recomputed."))
        return redirect(url_for("admin.calendar"))
    days = db.session.scalars(select(CalendarOverride).order_by(CalendarOverride.day.desc())).all()
    return render_template("admin/calendar.html", form=form, days=days, confirm=ConfirmForm()), \
        (400 if form.errors else 200)


@bp.post("/calendar/<day>/delete")
def delete_calendar_day(day: str):
    from datetime import date

    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        abort(404)
    if ConfirmForm().validate_on_submit():
        rule_service.remove_calendar_day(parsed, actor=current_user)
        db.session.commit()
        flash(_("Calendar updated; deadlines of open cases were recomputed."))
    return redirect(url_for("admin.calendar"))
