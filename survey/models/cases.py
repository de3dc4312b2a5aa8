"""Cases (feedback, complaints, denunciations), their messages, attachments and milestones.

A denouncer's identity is not here: it lives encrypted in ``DenouncerIdentity`` so that nothing
that loads a case can show it by accident.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Model, UTCDateTime, enum_column, utcnow
from survey.rules.case_states import CaseKind, CaseState

# CaseKind and CaseState are defined with the workflow rules (pure) and stored here; importing
# them from survey.models keeps working.


class CaseChannel(enum.StrEnum):
    """How the case reached the office; all but ``online`` are recorded by an officer."""

    ONLINE = "online"
    IN_PERSON = "in_person"  # at the citizen reception office
    POST = "post"
    PHONE = "phone"
    FORWARDED = "forwarded"  # sent on by another body


class PauseKind(enum.StrEnum):
    CITIZEN = "citizen"  # waiting for the citizen's information
    SUSPENDED = "suspended"  # handling temporarily suspended (tạm đình chỉ)


class Visibility(enum.StrEnum):
    INTERNAL = "internal"  # staff note, never shown to the citizen
    PUBLIC = "public"  # a reply the citizen reads on the tracking page
    CITIZEN = "citizen"  # written by the citizen


class Case(Model):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_assignee_state", "assignee_id", "state"),
        Index("ix_cases_handling_unit_state", "handling_unit_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Only a hash of the receipt code is kept: a leaked table does not open the tracking page.
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[CaseKind] = mapped_column(enum_column(CaseKind, 24))
    complaint_round: Mapped[int] = mapped_column(default=1)
    state: Mapped[CaseState] = mapped_column(enum_column(CaseState, 24), default=CaseState.RECEIVED)
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    topic: Mapped[str | None] = mapped_column(String(80))
    decision_complained: Mapped[str | None] = mapped_column(Text)  # complaints: the decision or act
    accused_description: Mapped[str | None] = mapped_column(Text)  # denunciations: who or what body
    accused_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    anonymous: Mapped[bool] = mapped_column(default=False)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"))
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("procedures.id"))
    handling_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    complexity: Mapped[int] = mapped_column(default=0)  # 0 normal, 1 complex, 2 especially complex
    remote_area: Mapped[bool] = mapped_column(default=False)
    extensions_granted: Mapped[int] = mapped_column(default=0)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(Text)  # refusal or forwarding reason, or the answer
    forwarded_to: Mapped[str | None] = mapped_column(String(300))
    citizen_satisfied: Mapped[bool | None] = mapped_column()
    reopened_count: Mapped[int] = mapped_column(default=0)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channel: Mapped[CaseChannel] = mapped_column(enum_column(CaseChannel, 12),
                                                 default=CaseChannel.ONLINE)
    forwarded_from: Mapped[str | None] = mapped_column(String(300))  # the body that sent it on
    forwarded_from_ref: Mapped[str | None] = mapped_column(String(100))  # its document number
    # A hash of the filing form's one-time key: a re-sent form finds its case instead of
    # filing a second one.
    filing_key_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Set while nobody may hold the case (see survey/routing.py); the escalation run tells the
    # leaders above once it has waited a working day.
    unassigned_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unassigned_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    unit = relationship("Unit", foreign_keys=[unit_id])
    handling_unit = relationship("Unit", foreign_keys=[handling_unit_id])
    assignee = relationship("User", foreign_keys=[assignee_id])
    counter = relationship("Counter")
    procedure = relationship("Procedure")
    contact: Mapped[CaseContact | None] = relationship(back_populates="case", uselist=False,
                                                       cascade="all, delete-orphan")
    messages: Mapped[list[CaseMessage]] = relationship(
        back_populates="case", order_by="CaseMessage.created_at", cascade="all, delete-orphan")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="case", order_by="Attachment.created_at", cascade="all, delete-orphan")
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="case", order_by="Milestone.due", cascade="all, delete-orphan")
    pauses: Mapped[list[CasePause]] = relationship(
        back_populates="case", order_by="CasePause.started_on", cascade="all, delete-orphan")
    withdrawals: Mapped[list[CaseWithdrawal]] = relationship(
        back_populates="case", order_by="CaseWithdrawal.id", cascade="all, delete-orphan")
    due_changes: Mapped[list[MilestoneChange]] = relationship(
        back_populates="case", order_by="MilestoneChange.id", cascade="all, delete-orphan")

    @property
    def deadline_kind(self) -> str:
        if self.kind is CaseKind.COMPLAINT and self.complaint_round == 2:
            return "complaint-second"
        return self.kind.value


class CaseContact(Model):
    """The citizen's contact for feedback and complaints (the law asks it of complainants)."""

    __tablename__ = "case_contacts"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"),
                                         primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(400))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))

    case: Mapped[Case] = relationship(back_populates="contact")


class DenouncerIdentity(Model):
    """A denouncer's identity, encrypted; only the custodian may read it, each look audited."""

    __tablename__ = "denouncer_identities"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"),
                                         primary_key=True)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseMessage(Model):
    __tablename__ = "case_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the citizen
    visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility, 10))
    body: Mapped[str] = mapped_column(Text)
    # The workflow step that wrote it ("resolve": an answer; "reopen": why the citizen asked
    # again), so the tracking page can tell an earlier answer from the current one.
    step: Mapped[str | None] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="messages")
    author = relationship("User")


class Attachment(Model):
    """A file stored outside the web root under a random name; served only after a check."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    from_citizen: Mapped[bool] = mapped_column(default=True)
    # A denouncer's file may show who they are (handwriting, signature): handlers see it only
    # after the custodian has checked it.
    cleared_for_handlers: Mapped[bool] = mapped_column(default=True)
    # Sent with a later addition rather than with the case: the tracking page shows it in the
    # thread, at its time, instead of among what was filed.
    added_after_filing: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="attachments")


class Milestone(Model):
    """A statutory deadline of a case, recomputed from the rulebook when the case changes."""

    __tablename__ = "milestones"
    __table_args__ = (UniqueConstraint("case_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    label: Mapped[dict] = mapped_column(JSON)
    due: Mapped[date] = mapped_column(Date, index=True)
    day_unit: Mapped[str] = mapped_column(String(10))
    days: Mapped[int] = mapped_column()
    basis: Mapped[str] = mapped_column(String(300))
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    late_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_days: Mapped[int] = mapped_column(default=0)  # added by pauses, in ``day_unit``
    starts_on: Mapped[date | None] = mapped_column(Date)  # what the count runs from

    case: Mapped[Case] = relationship(back_populates="milestones")

    def changes(self) -> list[MilestoneChange]:
        return [c for c in self.case.due_changes if c.milestone == self.name]


class MilestoneChange(Model):
    """A milestone's due date moved: from what, to what, and why (shown to officer and citizen).

    ``causes`` is a list of ``{"cause": ..., ...}``: ``accepted`` (``on``: the acceptance date),
    ``citizen`` or ``suspended`` (``days`` added, in ``unit``), ``extended`` (``days``, ``by``:
    the approver's user id), ``calendar`` (the holiday calendar changed).
    """

    __tablename__ = "milestone_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    milestone: Mapped[str] = mapped_column(String(40))
    old_due: Mapped[date] = mapped_column(Date)
    new_due: Mapped[date] = mapped_column(Date)
    causes: Mapped[list] = mapped_column(JSON)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="due_changes")


class CasePause(Model):
    """A period the statutory clock stops: waiting on the citizen, or handling suspended."""

    __tablename__ = "case_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    kind: Mapped[PauseKind] = mapped_column(enum_column(PauseKind, 12), default=PauseKind.CITIZEN)
    reason: Mapped[str | None] = mapped_column(Text)  # a suspension's written reason

    case: Mapped[Case] = relationship(back_populates="pauses")


class CaseWithdrawal(Model):
    """The citizen withdrew the case, in whole or some of its points (never reconsidered)."""

    __tablename__ = "case_withdrawals"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    whole: Mapped[bool] = mapped_column()
    points: Mapped[str | None] = mapped_column(Text)  # the points withdrawn, when in part
    reason: Mapped[str] = mapped_column(Text)
    on_paper: Mapped[bool] = mapped_column(default=False)  # a letter recorded by an officer
    received_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="withdrawals")


class ExtensionRequest(Model):
    __tablename__ = "extension_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    complexity: Mapped[int] = mapped_column()  # what the handler claims: 1 complex, 2 especially
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved: Mapped[bool | None] = mapped_column()

    case = relationship("Case")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
