"""Staff login and logout."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from survey.extensions import db, limiter
from survey.forms.auth import LoginForm
from survey.forms.base import add_error
from survey.models import Role
from survey.services.users import authenticate

bp = Blueprint("auth", __name__)

HOME_BY_ROLE = {Role.ADMIN: "admin.dashboard", Role.LEADER: "officer.desk",
                Role.OFFICER: "officer.desk", Role.CUSTODIAN: "custody.list_denunciations",
                Role.INSPECTOR: "inspect.desk"}


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: never redirect a login to another host."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def home_for(user) -> str:
    return url_for(HOME_BY_ROLE.get(user.role, "auth.account"))


def _login_limit() -> str:
    return current_app.config["SURVEY_RATE_LIMIT_LOGIN"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        if user is None:
            add_error(form.password, _("Wrong username or password."))
        else:
            login_user(user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")) or home_for(user))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("You are logged out."))
    return redirect(url_for("auth.login"))


@bp.get("/account")
@login_required
def account():
    return render_template("auth/account.html", user=current_user)
