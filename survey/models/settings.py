"""Platform settings an administrator changes at run time (the root intake office, ...)."""

from __future__ import annotations

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from survey.models.base import Model


class Setting(Model):
    """One named value; the code that reads it owns its meaning and its default."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[object | None] = mapped_column(JSON)
