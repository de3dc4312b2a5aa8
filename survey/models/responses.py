"""Survey responses: anonymous by construction (nothing here points at the respondent)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Model, UTCDateTime, enum_column, utcnow


class Channel(enum.StrEnum):
    QR = "qr"
    KIOSK = "kiosk"
    PAPER = "paper"
    ONLINE = "online"


class Response(Model):
    """One respondent's answers. ``officer_id`` is the officer rated, never the respondent."""

    __tablename__ = "responses"
    __table_args__ = (
        Index("ix_responses_unit_submitted", "unit_id", "submitted_at"),
        Index("ix_responses_counter_submitted", "counter_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_versions.id"), index=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("procedures.id"), index=True)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, 10))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    comment: Mapped[str | None] = mapped_column(Text)
    dossier_code: Mapped[str | None] = mapped_column(String(64))
    # Makes a retried or double-tapped submission (or a re-imported paper row) store once.
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)

    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )
    questionnaire_version = relationship("QuestionnaireVersion")
    counter = relationship("Counter")
    unit = relationship("Unit")
    procedure = relationship("Procedure")


class Answer(Model):
    """One answer; ``value`` is NULL for "no opinion". An unanswered question has no row."""

    __tablename__ = "answers"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    question_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int | None] = mapped_column(SmallInteger)

    response: Mapped[Response] = relationship(back_populates="answers")


class TransactionToken(Model):
    """A one-time survey link handed out with a dossier; only its hash is kept.

    Deliberately no link to the response it allowed: which dossier gave which answers stays unknown.
    """

    __tablename__ = "transaction_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    counter_id: Mapped[int] = mapped_column(ForeignKey("counters.id"), index=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    counter = relationship("Counter")
