"""Platform settings: named values an administrator sets, each change audited."""

from __future__ import annotations

from survey.extensions import db
from survey.models import Setting, Unit, User
from survey.services import audit

INTAKE_UNIT = "intake_unit_id"  # the root intake office: where routing ends (survey/routing.py)


def get(key: str, default: object = None) -> object:
    setting = db.session.get(Setting, key)
    return default if setting is None or setting.value is None else setting.value


def put(key: str, value: object, *, actor: User | None = None) -> None:
    setting = db.session.get(Setting, key) or Setting(key=key)
    setting.value = value
    db.session.add(setting)
    db.session.flush()
    audit.record("setting_changed", actor=actor, setting=key, value=value)


def intake_unit_id() -> int | None:
    """The intake office's id, or None when unset or when its unit is gone."""
    value = get(INTAKE_UNIT)
    if not isinstance(value, int) or db.session.get(Unit, value) is None:
        return None
    return value
