"""Cases: filing, the workflow's steps, messages, extensions and the custodian's look.

Every change appends an audit event and flushes; the view commits once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from survey.extensions import db
from survey.models import (
    Case,
    CaseChannel,
    CaseContact,
    CaseKind,
    CaseMessage,
    CasePause,
    CaseState,
    Counter,
    ExtensionRequest,
    PauseKind,
    Procedure,
    Role,
    Unit,
    User,
    Visibility,
)
from survey.models.base import utcnow
from survey.rules import receipts, workflow
from survey.services import ServiceError, assignment, attachments, audit, identity, milestones
from survey.services import notifications as notify
from survey.web.i18n import LOCAL_TZ

REOPEN_DAYS = 30
# The citizen can no longer add to these: the case has ended without an answer to rate.
ENDED_STATES = frozenset({CaseState.CLOSED, CaseState.WITHDRAWN, CaseState.TERMINATED})


@dataclass
class NewCase:
    kind: CaseKind
    subject: str
    description: str
    unit: Unit | None = None
    counter: Counter | None = None
    procedure: Procedure | None = None
    topic: str | None = None
    complaint_round: int = 1
    decision_complained: str | None = None
    accused_description: str | None = None
    accused: User | None = None
    anonymous: bool = False
    name: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    files: list[tuple[str, bytes]] = field(default_factory=list)
    # How it arrived. Anything but online is recorded by an officer (``recorded_by``), with the
    # day the office received it (deadlines count from that day) and, when another body
    # forwarded it, that body and its document number.
    channel: CaseChannel = CaseChannel.ONLINE
    received_on: date | None = None
    forwarded_from: str = ""
    forwarded_from_ref: str = ""
    recorded_by: User | None = None
    consent_on_paper: bool = False  # recorded: the citizen consented in writing
    filing_key: str = ""  # the form's one-time key: the same key never files twice
    lang: str = "vi"  # the language the citizen filed in online (the receipt mail's)


def _check(new: NewCase) -> None:
    """The law's requirements per kind (the form checks them too, beside each field)."""
    if new.kind is CaseKind.COMPLAINT and not (new.name and new.address and
                                               (new.phone or new.email) and
                                               new.decision_complained):
        raise ServiceError(_("A complaint needs your name, address, a contact and the decision "
                             "or act you complain about."))
    if new.kind is CaseKind.DENUNCIATION and not (new.accused_description or new.accused):
        raise ServiceError(_("A denunciation must name the person or body denounced."))
    if new.kind is CaseKind.DENUNCIATION and not new.anonymous and not new.name:
        raise ServiceError(_("Give your name, or choose to denounce anonymously."))
    if len(new.files) > attachments.MAX_FILES:
        raise ServiceError(_("Attach at most %(n)d files.", n=attachments.MAX_FILES))
    _check_channel(new)


def _check_channel(new: NewCase) -> None:
    if new.channel is CaseChannel.ONLINE:
        return
    if new.recorded_by is None:
        raise ServiceError(_("A case received on paper is recorded by an officer."))
    if new.channel is CaseChannel.FORWARDED and not new.forwarded_from.strip():
        raise ServiceError(_("Name the body that forwarded the case."))
    today = milestones.local_day(utcnow())
    if new.received_on is not None and new.received_on > today:
        raise ServiceError(_("The date received cannot be in the future."))


def _received_at(new: NewCase) -> datetime:
    """When the office received it: now, or the start of the (local) day received on paper."""
    now = utcnow()
    if new.received_on is None or new.received_on == milestones.local_day(now):
        return now
    return datetime.combine(new.received_on, time(0, 0), tzinfo=LOCAL_TZ)


def already_filed(filing_key: str) -> bool:
    """True when a case was already filed with this form's one-time key."""
    return bool(filing_key) and db.session.scalar(
        select(Case.id).where(Case.filing_key_hash == receipts.digest(filing_key))) is not None


def open_case(new: NewCase) -> tuple[Case, str]:
    """File a case; returns it and its receipt code (shown once, never stored in clear)."""
    _check(new)
    for name, data in new.files:
        attachments.check_upload(name, data)
    code = receipts.new_code()
    unit = new.unit or (new.counter.unit if new.counter else None)
    is_denunciation = new.kind is CaseKind.DENUNCIATION
    on_paper = new.channel is not CaseChannel.ONLINE
    case = Case(
        receipt_hash=receipts.digest(code), kind=new.kind, state=CaseState.RECEIVED,
        complaint_round=new.complaint_round if new.kind is CaseKind.COMPLAINT else 1,
        subject=new.subject.strip(), description=new.description.strip(), topic=new.topic,
        unit_id=unit.id if unit else None, counter_id=new.counter.id if new.counter else None,
        procedure_id=new.procedure.id if new.procedure else None,
        decision_complained=new.decision_complained, accused_description=new.accused_description,
        accused_user_id=new.accused.id if new.accused and is_denunciation else None,
        anonymous=new.anonymous, received_at=_received_at(new),
        consent_at=utcnow() if new.consent_on_paper or not on_paper else None,
        channel=new.channel,
        forwarded_from=new.forwarded_from.strip() or None if on_paper else None,
        forwarded_from_ref=new.forwarded_from_ref.strip() or None if on_paper else None,
        filing_key_hash=receipts.digest(new.filing_key) if new.filing_key else None,
    )
    db.session.add(case)
    db.session.flush()
    _store_person(case, new)
    if on_paper:  # the audit trail says who recorded it, and that consent was on paper
        audit.record("filed", case_id=case.id, actor=new.recorded_by, kind=new.kind.value,
                     anonymous=new.anonymous, files=len(new.files), channel=new.channel.value,
                     consent_on_paper=new.consent_on_paper)
    else:
        audit.record("filed", case_id=case.id, actor_kind="citizen", kind=new.kind.value,
                     anonymous=new.anonymous, files=len(new.files))
    for name, data in new.files:  # a scan of a letter is the citizen's file, held back alike
        attachments.store(case, name, data, from_citizen=True)
    assignment.route_case(case)  # also tells the holder (or, with none, the administrators)
    milestones.refresh(case)
    # A case filed online answers in the citizen's language; one recorded from paper in
    # Vietnamese, the language of the letter (the officer's screen may be in English).
    notify.receipt_issued(case, code, new.lang if not on_paper else "vi")
    return case, code


def _store_person(case: Case, new: NewCase) -> None:
    """Complainants' contact goes with the case; a denouncer's identity is sealed apart."""
    if new.kind is CaseKind.DENUNCIATION:
        if not new.anonymous:
            identity.seal(case.id, identity.Identity(new.name, new.address, new.phone, new.email))
        return
    if new.anonymous or not any((new.name, new.address, new.phone, new.email)):
        return
    db.session.add(CaseContact(case=case, name=new.name or None, address=new.address or None,
                               phone=new.phone or None, email=new.email or None))
    db.session.flush()


def find_by_receipt(typed: str) -> Case | None:
    code = receipts.normalise(typed)
    if code is None:
        return None
    return db.session.scalar(select(Case).where(Case.receipt_hash == receipts.digest(code)))


# ---- the handler's steps -------------------------------------------------------------------------

def take_action(case: Case, action: str, *, actor: User, text: str = "",
                forwarded_to: str = "", lang: str = "vi") -> None:
    """Apply a workflow step; ``text`` is the reason, question or answer the citizen reads.

    ``lang`` is the language of the notice to the citizen (the officer's, as before).
    """
    if action not in workflow.STAFF_ACTIONS or not workflow.can(action, case.state):
        raise ServiceError(_("This step is not possible in the case's current state."))
    if action in workflow.LEADER_ACTIONS and actor.role is not Role.LEADER:
        raise ServiceError(_("Only a leader decides to suspend, resume or terminate handling."))
    transition = workflow.TRANSITIONS[action]
    text = text.strip()
    if transition.needs_text and not text:
        raise ServiceError(_("Please write the reason or the answer: the citizen will read it."))
    if action == "forward" and not forwarded_to.strip():
        raise ServiceError(_("Name the body the case is forwarded to."))
    previous, now = case.state, utcnow()
    case.state = transition.target
    _apply_effects(case, action, now, text, forwarded_to.strip())
    if text:
        db.session.add(CaseMessage(case=case, author_id=actor.id, visibility=Visibility.PUBLIC,
                                   body=text, step=action))
    audit.record("state_changed", case_id=case.id, actor=actor, step=action,
                 previous=previous.value, state=case.state.value)
    milestones.refresh(case)
    notify.citizen_update(case, lang)


def _apply_effects(case: Case, action: str, now, text: str, forwarded_to: str) -> None:
    today = milestones.local_day(now)
    if action == "accept":
        case.accepted_on = today
        milestones.mark_met(case, ("accept", "forward", "notify"), now)
    elif action in ("refuse", "forward"):
        case.outcome = text
        case.forwarded_to = forwarded_to or None
        milestones.mark_met(case, ("accept", "forward"), now)
    elif action == "ask_citizen":
        db.session.add(CasePause(case=case, started_on=today, kind=PauseKind.CITIZEN))
    elif action == "resume":
        end_pauses(case, today, PauseKind.CITIZEN)
    elif action == "suspend":  # the clock stops until the suspension is lifted
        db.session.add(CasePause(case=case, started_on=today, kind=PauseKind.SUSPENDED,
                                 reason=text))
    elif action == "lift_suspension":
        end_pauses(case, today, PauseKind.SUSPENDED)
    elif action == "resolve":
        case.outcome, case.resolved_at = text, now
        milestones.mark_met(case, ("resolve",), now)
    elif action == "terminate":
        case.outcome, case.closed_at = text, now
        end_pauses(case, today)
    elif action == "close":
        case.closed_at = now
    db.session.flush()


def end_pauses(case: Case, today: date, kind: PauseKind | None = None) -> None:
    """Stop the running pauses of the clock (of one kind, or all)."""
    for pause in case.pauses:
        if pause.ended_on is None and kind in (None, pause.kind):
            pause.ended_on = today


def suspension(case: Case) -> CasePause | None:
    """The suspension in force, if handling is suspended now."""
    return next((p for p in case.pauses
                 if p.kind is PauseKind.SUSPENDED and p.ended_on is None), None)


def add_note(case: Case, body: str, *, actor: User) -> CaseMessage:
    """An internal note: never shown to the citizen."""
    if not body.strip():
        raise ServiceError(_("The note is empty."))
    note = CaseMessage(case=case, author_id=actor.id, visibility=Visibility.INTERNAL,
                       body=body.strip())
    db.session.add(note)
    db.session.flush()
    audit.record("note_added", case_id=case.id, actor=actor, message=note.id)
    return note


def reply(case: Case, body: str, *, actor: User, lang: str = "vi") -> CaseMessage:
    """A public reply the citizen reads on the tracking page (told so in ``lang``)."""
    if not body.strip():
        raise ServiceError(_("The reply is empty."))
    message = CaseMessage(case=case, author_id=actor.id, visibility=Visibility.PUBLIC,
                          body=body.strip())
    db.session.add(message)
    db.session.flush()
    audit.record("replied", case_id=case.id, actor=actor, message=message.id)
    notify.citizen_update(case, lang)
    return message


# ---- extensions ----------------------------------------------------------------------------------

def request_extension(case: Case, reason: str, complexity: int, *, actor: User) -> ExtensionRequest:
    if not workflow.is_open(case.state):
        raise ServiceError(_("Only an open case can be extended."))
    if not reason.strip():
        raise ServiceError(_("An extension needs a written reason."))
    if any(r.approved is None for r in db.session.scalars(
            select(ExtensionRequest).where(ExtensionRequest.case_id == case.id))):
        raise ServiceError(_("An extension request is already waiting for the leader."))
    request = ExtensionRequest(case_id=case.id, reason=reason.strip(), complexity=complexity,
                               requested_by_id=actor.id)
    db.session.add(request)
    db.session.flush()
    audit.record("extension_requested", case_id=case.id, actor=actor, request=request.id,
                 complexity=complexity)
    notify.extension_requested(case)
    return request


def decide_extension(request: ExtensionRequest, approve: bool, *, actor: User) -> None:
    if request.approved is not None:
        raise ServiceError(_("This request was already decided."))
    if request.requested_by_id == actor.id:
        raise ServiceError(_("An extension must be approved by someone other than who asked."))
    request.approved, request.decided_by_id, request.decided_at = approve, actor.id, utcnow()
    case = request.case
    if approve:
        case.complexity = max(case.complexity, request.complexity)
        if case.kind is CaseKind.DENUNCIATION:
            case.extensions_granted = min(case.extensions_granted + 1, case.complexity)
    db.session.flush()
    audit.record("extension_decided", case_id=case.id, actor=actor, request=request.id,
                 approved=approve)
    milestones.refresh(case, approved_by=actor if approve else None)


# ---- the citizen's steps -------------------------------------------------------------------------

def citizen_message(case: Case, body: str, files: list[tuple[str, bytes]]) -> None:
    if not body.strip() and not files:
        raise ServiceError(_("Write a message or attach a file."))
    if case.state in ENDED_STATES:
        raise ServiceError(_("This case is closed."))
    for name, data in files:
        attachments.check_upload(name, data)
    if body.strip():
        db.session.add(CaseMessage(case=case, visibility=Visibility.CITIZEN, body=body.strip()))
    for name, data in files:
        attachments.store(case, name, data, from_citizen=True).added_after_filing = True
    db.session.flush()
    audit.record("citizen_wrote", case_id=case.id, actor_kind="citizen", files=len(files))
    notify.citizen_wrote(case)


def can_reopen(case: Case, now=None) -> bool:
    now = now or utcnow()
    return (case.state in (CaseState.RESOLVED, CaseState.CLOSED) and case.resolved_at is not None
            and now - case.resolved_at <= timedelta(days=REOPEN_DAYS))


def rate_answer(case: Case, satisfied: bool, reason: str = "") -> None:
    """The citizen's verdict on the answer; if unsatisfied within the period, the case reopens."""
    if (case.state not in (CaseState.RESOLVED, CaseState.CLOSED)
            or case.citizen_satisfied is not None):
        raise ServiceError(_("This answer cannot be rated now."))
    case.citizen_satisfied = satisfied
    audit.record("answer_rated", case_id=case.id, actor_kind="citizen", satisfied=satisfied)
    if not satisfied and can_reopen(case):
        case.state, case.reopened_count = CaseState.IN_PROGRESS, case.reopened_count + 1
        case.resolved_at = None
        for milestone in case.milestones:
            if milestone.name == "resolve":
                milestone.met_at = None
        if reason.strip():
            db.session.add(CaseMessage(case=case, visibility=Visibility.CITIZEN,
                                       body=reason.strip(), step="reopen"))
        audit.record("reopened", case_id=case.id, actor_kind="citizen")
        notify.citizen_wrote(case)
    db.session.flush()


# ---- the custodian -------------------------------------------------------------------------------

def reveal_identity(case: Case, reason: str, *, actor: User) -> identity.Identity | None:
    """Decrypt a denouncer's identity for the custodian, after recording who looked and why."""
    if not reason.strip():
        raise ServiceError(_("Give the reason for looking at the identity."))
    audit.record("identity_viewed", case_id=case.id, actor=actor, reason=reason.strip()[:500])
    return identity.unseal(case.id)


def clear_attachment(case: Case, attachment_id: int, *, actor: User) -> None:
    """The custodian has checked a denouncer's file: it does not reveal them."""
    attachment = next((a for a in case.attachments if a.id == attachment_id), None)
    if attachment is None:
        raise ServiceError(_("No such file."))
    attachment.cleared_for_handlers = True
    db.session.flush()
    audit.record("attachment_cleared", case_id=case.id, actor=actor, attachment=attachment.id)
