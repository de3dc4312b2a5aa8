"""Staff accounts: creation and password checks with argon2."""

from __future__ import annotations

from typing import Any

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Role, Unit, User
from survey.services import ServiceError, audit

MIN_PASSWORD_LENGTH = 10
_hashers: dict[str, tuple[PasswordHasher, str]] = {}


def _hasher() -> tuple[PasswordHasher, str]:
    """The argon2 hasher of the configured profile, and a dummy hash made with it.

    Verifying against the dummy when the user is unknown keeps a failed login's timing uniform.
    Tests use the CHEAPEST profile; a real deployment keeps the RFC 9106 default.
    """
    name = current_app.config.get("SURVEY_PASSWORD_PROFILE", "RFC_9106_LOW_MEMORY")
    if name not in _hashers:
        hasher = PasswordHasher.from_parameters(getattr(profiles, name))
        _hashers[name] = (hasher, hasher.hash("not-a-real-password"))
    return _hashers[name]


def hash_password(password: str) -> str:
    return _hasher()[0].hash(password)


def create_user(username: str, *, role: Role, unit: Unit, password: str,
                display_name: str | None = None, email: str | None = None,
                actor: User | None = None) -> User:
    username = username.strip().lower()
    if not username:
        raise ServiceError(_("A username is required."))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(_("The password must have at least %(n)d characters.",
                             n=MIN_PASSWORD_LENGTH))
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ServiceError(_("The username %(name)s is taken.", name=username))
    user = User(username=username, display_name=(display_name or username).strip(), role=role,
                unit=unit, password_hash=hash_password(password), email=email or None)
    db.session.add(user)
    db.session.flush()
    audit.record("user_created", actor=actor, user=user.id, role=role.value, unit=unit.id)
    if role in (Role.OFFICER, Role.LEADER):
        from survey.services import assignment  # a new handler may free an unassigned case

        assignment.repair("user_created", actor=actor)
    return user


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None (same work either way)."""
    user = db.session.scalar(
        select(User).where(func.lower(User.username) == username.strip().lower()))
    hasher, dummy = _hasher()
    try:
        hasher.verify(user.password_hash if user else dummy, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def update_user(user: User, *, actor: User | None, display_name: str, email: str | None,
                role: Role, unit: Unit, active: bool) -> User:
    """Change an account; cases it can no longer hold go to someone who may hold them."""
    if actor is not None and user.id == actor.id and (not active or role is not actor.role):
        raise ServiceError(_("You cannot deactivate your own account or change your own role."))
    # Any: kept as JSON in the audit event; **changes must not look like record()'s keywords.
    changes: dict[str, Any] = {name: value for name, value, old in (
        ("role", role.value, user.role.value), ("unit", unit.id, user.unit_id),
        ("active", active, user.active)) if value != old}
    user.display_name = display_name.strip() or user.username
    user.email = (email or "").strip() or None
    user.role, user.unit, user.active = role, unit, active
    db.session.flush()
    audit.record("user_changed", actor=actor, user=user.id, **changes)
    if changes:
        from survey.services import assignment  # assignment reads users; users don't read it

        assignment.repair("user_changed", actor=actor)
    return user
