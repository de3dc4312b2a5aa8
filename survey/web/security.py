"""Authentication, role checks and response headers.

Staff blueprints call ``require_roles`` from ``before_request`` so a new route is protected the
day it is added; the URL-map sweep in the tests keeps it that way.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, abort, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

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


def require_roles(*roles: Role) -> Callable[[], Response | None]:
    """A ``before_request`` hook: log in first, then hold one of ``roles``, else 403."""

    def check() -> Response | None:
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        if current_user.role not in roles:
            abort(403)
        return None

    return check


SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    # same-origin, not no-referrer: over HTTPS Flask-WTF refuses a staff form posted without a
    # same-origin Referer, and other sites still learn nothing (no Referer leaves the site).
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
)
_LOWER_SECURITY_HEADERS = tuple((name.lower(), (name, value)) for name, value in SECURITY_HEADERS)


class SecurityHeaders:
    """WSGI middleware: the security headers on every response that does not set its own.

    It works on the plain header list handed to ``start_response``: four ``setdefault`` calls on
    werkzeug's ``Headers`` in an ``after_request`` hook cost over a hundred Python calls per
    request, a tenth of a survey submission's work outside the database.
    """

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            present = {name.lower() for name, _value in headers}
            headers.extend(header for lower, header in _LOWER_SECURITY_HEADERS
                           if lower not in present)
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, its serializer built once per key instead of per request.

    Flask builds a new serializer on every request, even one without a session cookie (a citizen
    answering the survey); the serializer holds nothing but the keys and settings, so one per
    (secret key, fallback keys) serves every request.
    """

    def __init__(self) -> None:
        self._serializers: dict[tuple, object] = {}

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if keys not in self._serializers:
            if len(self._serializers) >= 8:  # tests make many apps; production has one key
                self._serializers.clear()
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.session_protection = "strong"
    app.session_interface = SessionInterface()
    # Flask's documented way to wrap the app in WSGI middleware; mypy sees a method replaced.
    app.wsgi_app = SecurityHeaders(app.wsgi_app)  # type: ignore[method-assign]
