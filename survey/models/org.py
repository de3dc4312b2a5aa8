"""The organisation: units in a tree, their counters and procedures, and staff users."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import db
from survey.models.base import Model, UTCDateTime, enum_column, utcnow


class Role(enum.StrEnum):
    OFFICER = "officer"
    LEADER = "leader"
    INSPECTOR = "inspector"
    CUSTODIAN = "custodian"
    ADMIN = "admin"


unit_procedures = Table(
    "unit_procedures",
    db.metadata,
    Column("unit_id", ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
    Column("procedure_id", ForeignKey("procedures.id", ondelete="CASCADE"), primary_key=True),
)


class Unit(Model):
    """A body in the administrative tree; ``level`` names its tier (data, never hard-coded)."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(80))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.name")
    counters: Mapped[list[Counter]] = relationship(back_populates="unit", order_by="Counter.code")
    procedures: Mapped[list[Procedure]] = relationship(
        secondary=unit_procedures, order_by="Procedure.code"
    )

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


class Counter(Model):
    """A one-stop counter (quầy); ``survey_code`` is the short, revocable code in its QR."""

    __tablename__ = "counters"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    survey_code: Mapped[str] = mapped_column(String(16), unique=True)
    officer_on_duty_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship(back_populates="counters")
    officer_on_duty: Mapped[User | None] = relationship(foreign_keys=[officer_on_duty_id])


class RevokedSurveyCode(Model):
    """A survey code that was replaced; kept so an old poster shows a kind page, not a 404."""

    __tablename__ = "revoked_survey_codes"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    counter_id: Mapped[int] = mapped_column(ForeignKey("counters.id", ondelete="CASCADE"))
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Procedure(Model):
    """An administrative procedure (thủ tục hành chính) from the national catalogue."""

    __tablename__ = "procedures"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    field: Mapped[str] = mapped_column(String(200))
    processing_days: Mapped[int | None] = mapped_column()


class User(UserMixin, Model):
    """A staff account; citizens never have one."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))  # for deadline notices
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role, 20))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles
