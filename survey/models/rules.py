"""Rules as data: routing rules, conflict-of-interest declarations, calendar overrides."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Model, enum_column


class RoutingRule(Model):
    """Send matching cases to a handling unit; criteria left empty match anything."""

    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str | None] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    procedure_field: Mapped[str | None] = mapped_column(String(200))
    topic: Mapped[str | None] = mapped_column(String(80))
    handling_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    active: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str | None] = mapped_column(String(300))

    unit = relationship("Unit", foreign_keys=[unit_id])
    handling_unit = relationship("Unit", foreign_keys=[handling_unit_id])


class ConflictOfInterest(Model):
    """Two staff who must never handle a denunciation about each other (stored low id first)."""

    __tablename__ = "conflicts_of_interest"
    __table_args__ = (UniqueConstraint("user_a_id", "user_b_id"),
                      CheckConstraint("user_a_id < user_b_id", name="ordered_pair"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_a_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    user_b_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(300))

    user_a = relationship("User", foreign_keys=[user_a_id])
    user_b = relationship("User", foreign_keys=[user_b_id])


class DayKind(enum.StrEnum):
    DAY_OFF = "day_off"
    WORKING_DAY = "working_day"


class CalendarOverride(Model):
    """An extra day off, or a make-up working Saturday, decreed for a year."""

    __tablename__ = "calendar_overrides"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[DayKind] = mapped_column(enum_column(DayKind, 12))
    note: Mapped[str] = mapped_column(String(200))
