"""Authentication, role checks and response headers.

Staff blueprints call ``require_roles`` from ``before_request`` so a new route is protected the
day it is added; the URL-map sweep in the tests keeps it that way.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, abort, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from survey.extensions import db, login_manager
from survey.models import Role, User

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    return db.session.get(User, int(user_id))


def require_roles(*roles: Role) -> Callable[[], object]:
    """A ``before_request`` hook: log in first, then hold one of ``roles``, else 403."""

    def check():
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        if current_user.role not in roles:
            abort(403)
        return None

    return check


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.session_protection = "strong"
    app.after_request(_security_headers)
