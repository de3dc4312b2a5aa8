"""Administration of staff accounts: list, create, change role or unit, deactivate.

A change that takes cases away from someone (deactivated, moved, no longer a handler) re-routes
them in the same request (``services/users.update_user``), so no case is left on no desk.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from survey.extensions import db
from survey.forms.admin import NewUserForm, UserForm, UserSearchForm
from survey.forms.base import add_error, required
from survey.models import Role, Unit, User
from survey.render.labels import ROLES
from survey.services import ServiceError
from survey.services import users as user_service
from survey.views.admin import _unit_choices, bp

PAGE_SIZE = 50


def _fill(form: UserForm) -> None:
    form.role.choices = [(role.value, str(label)) for role, label in ROLES.items()]
    form.unit_id.choices = _unit_choices()


@bp.get("/users")
def list_users():
    form = UserSearchForm(request.args)
    if not form.validate():
        form.q.data = None  # a search that cannot run shows everyone, with the field's error
    page = min(max(request.args.get("page", 1, type=int), 1), 10_000)
    query = select(User)
    if form.q.data:
        pattern = f"%{form.q.data.strip()}%"
        query = query.where(or_(User.username.ilike(pattern), User.display_name.ilike(pattern)))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    users = db.session.scalars(query.order_by(User.username).limit(PAGE_SIZE)
                               .offset((page - 1) * PAGE_SIZE)).all()
    return render_template("admin/users.html", users=users, form=form, page=page, total=total,
                           pages=max(1, -(-total // PAGE_SIZE)))


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = NewUserForm()
    _fill(form)
    if form.validate_on_submit():
        try:
            user_service.create_user(
                form.username.data, role=Role(form.role.data),
                unit=db.session.get(Unit, form.unit_id.data), password=form.password.data,
                display_name=form.display_name.data, email=form.email.data, actor=current_user)
        except ServiceError as error:
            db.session.rollback()
            add_error(form.username, str(error))
        else:
            db.session.commit()
            flash(_("Account created."))
            return redirect(url_for("admin.list_users"))
    return render_template("admin/edit_user.html", form=form, user=None), \
        (400 if request.method == "POST" else 200)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    form = UserForm(obj=user)
    _fill(form)
    if request.method == "GET":
        form.role.data = user.role.value
    if form.validate_on_submit():
        try:
            user_service.update_user(
                user, actor=current_user, display_name=required(form.display_name.data),
                email=form.email.data, role=Role(form.role.data),
                unit=db.get_or_404(Unit, form.unit_id.data), active=form.active.data)
        except ServiceError as error:
            db.session.rollback()
            add_error(form.active, str(error))
        else:
            db.session.commit()
            flash(_("Account saved; cases it can no longer hold were routed again."))
            return redirect(url_for("admin.list_users"))
    return render_template("admin/edit_user.html", form=form, user=user), \
        (400 if request.method == "POST" else 200)
