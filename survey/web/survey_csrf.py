"""CSRF protection of the citizen survey form: a signed double-submit cookie, without the session.

Every other form is checked by Flask-WTF's CSRFProtect: a random value kept in the signed session
cookie, and in the form a signature of that value. The survey form, the busiest POST of the
platform and the only one most citizens ever send, carries the same proof more cheaply: a random
value in a cookie of its own, and in the form HMAC-SHA256 of that value under a key derived from
the secret key. The form is accepted only with the token of the cookie the browser sends, and a
page of another site can neither read the cookie (HttpOnly, SameSite=Lax) nor compute the HMAC
without the secret key: the guarantee CSRFProtect gives. As with CSRFProtect here
(``WTF_CSRF_TIME_LIMIT`` is None) the token has no expiry of its own; the cookie lasts the browser
session, as the session cookie did, and ``WTF_CSRF_ENABLED`` switches both checks.

Over HTTPS (``SESSION_COOKIE_SECURE``, i.e. production) the cookie is named ``__Host-...``: the
browser then refuses it unless it was set by this host over HTTPS for the whole site, so a page on
another subdomain or on plain HTTP cannot plant a cookie whose token it knows. CSRFProtect guards
against that with a same-origin Referer check over HTTPS instead (our pages send
``Referrer-Policy: same-origin`` so that browsers do send it to us).

Why not the session: opening it verifies and decodes a signed JSON cookie, and CSRFProtect then
verifies a second itsdangerous signature, on every submission; together about an eighth of the
submission's server time (benchmarks/RESULTS.md). Here it is one HMAC of 22 bytes, and a citizen
who only answers the survey never gets a session cookie at all.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from functools import lru_cache

from flask import Flask, current_app, request
from flask_wtf.csrf import CSRFError

COOKIE = "survey_csrf"
SECURE_COOKIE = "__Host-survey_csrf"  # over HTTPS: only this host can set it
FIELD = "csrf_token"  # the field name CSRFProtect uses, so the form looks the same
_VALUE = re.compile(r"^[A-Za-z0-9_-]{22}$")  # secrets.token_urlsafe(16)


@lru_cache(maxsize=4)
def _key(secret: str | bytes) -> bytes:
    """A key of its own: no other signature made with the secret key is ever a valid token."""
    raw = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(raw, b"survey.survey_csrf", hashlib.sha256).digest()


def _secret(app: Flask) -> str | bytes:
    secret: str | bytes | None = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
    if secret is None:
        raise RuntimeError("SECRET_KEY is not set: the survey's CSRF tokens cannot be signed")
    return secret


def cookie_name(app: Flask) -> str:
    return SECURE_COOKIE if app.config["SESSION_COOKIE_SECURE"] else COOKIE


def token_for(value: str, secret: str | bytes) -> str:
    """The form token that goes with the cookie ``value``."""
    return hmac.digest(_key(secret), value.encode(), "sha256").hex()


def form_token() -> tuple[str, str | None]:
    """``(token for the form, cookie value to set or None)``; a browser keeps its cookie."""
    value = request.cookies.get(cookie_name(current_app), "")
    fresh = None
    if not _VALUE.match(value):
        value = fresh = secrets.token_urlsafe(16)
    return token_for(value, _secret(current_app)), fresh


def set_cookie(response, value: str) -> None:
    secure = current_app.config["SESSION_COOKIE_SECURE"]
    response.set_cookie(cookie_name(current_app), value, path="/", httponly=True,
                        samesite="Lax", secure=secure)


def protect() -> None:
    """Refuse (CSRFError, the app's 400 page) a POST whose token does not match its cookie."""
    # One context look-up each instead of one per attribute; Flask types the proxies as the
    # objects they stand for, so mypy does not know the proxy's own method.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    req = request._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("WTF_CSRF_ENABLED", True):
        return
    value = req.cookies.get(cookie_name(app), "")
    sent = req.form.get(FIELD, "")
    if not value or not sent:
        raise CSRFError("The CSRF token is missing.")
    if not hmac.compare_digest(sent.encode(), token_for(value, _secret(app)).encode()):
        raise CSRFError("The CSRF tokens do not match.")
