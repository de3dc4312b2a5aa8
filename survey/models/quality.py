"""What the inspectors add to the responses: anomaly flags, exclusions, transaction counts.

Flags and exclusions sit beside the responses and never change them: a flag says why a response
looks suspicious, an exclusion (with its reason, and an audit event) takes it out of the
"without excluded" figures, and deleting the exclusion puts it back.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from survey.models.base import Model, UTCDateTime, utcnow


class ResponseFlag(Model):
    """One anomaly seen on one response.

    ``kind``: burst, identical_run, out_of_hours or repeat_browser (survey.analysis.anomalies).
    """

    __tablename__ = "response_flags"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)
    flagged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FlagScan(Model):
    """How far the anomaly detector has read: responses with a larger id are not scanned yet."""

    __tablename__ = "flag_scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_response_id: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ResponseExclusion(Model):
    """A response an inspector took out of the figures, with the reason given."""

    __tablename__ = "response_exclusions"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    reason: Mapped[str] = mapped_column(Text)
    excluded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    excluded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TransactionCount(Model):
    """Dossiers a unit handled in one month: the population behind sample sizes and rates."""

    __tablename__ = "transaction_counts"
    __table_args__ = (UniqueConstraint("unit_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    month: Mapped[date] = mapped_column(Date)  # the first day of the month
    transactions: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(10), default="form")  # form or import
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
