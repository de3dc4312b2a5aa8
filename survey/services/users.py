"""Staff accounts: creation and password checks with argon2."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Role, Unit, User
from survey.services import ServiceError

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10
# Verifying against this when the user is unknown keeps the timing of a failed login uniform.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(username: str, *, role: Role, unit: Unit, password: str,
                display_name: str | None = None) -> User:
    username = username.strip().lower()
    if not username:
        raise ServiceError(_("A username is required."))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(_("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ServiceError(_("The username %(name)s is taken.", name=username))
    user = User(username=username, display_name=(display_name or username).strip(), role=role,
                unit=unit, password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None (same work either way)."""
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user
