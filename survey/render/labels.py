"""Words shown for enum values: states, kinds, actions, roles (translated at render time)."""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from survey.models import CaseChannel, CaseKind, CaseState, Role
from survey.rules.counts import MAX_TRANSACTIONS, CountProblem, count_problem

KINDS = {
    CaseKind.FEEDBACK: _l("Feedback or petition"),
    CaseKind.COMPLAINT: _l("Complaint"),
    CaseKind.DENUNCIATION: _l("Denunciation"),
}
KIND_PURPOSES = {
    CaseKind.FEEDBACK: _l("Tell the office about a problem or suggest an improvement. "
                          "You may stay anonymous."),
    CaseKind.COMPLAINT: _l("Ask the office to review an administrative decision or act that "
                           "you believe is wrong and harms your rights. Your name, address and "
                           "a contact are required by law."),
    CaseKind.DENUNCIATION: _l("Report a violation of the law by an officer or a body. Your "
                              "identity is kept secret and never shown to the person you report."),
}
STATES = {
    CaseState.RECEIVED: _l("Received"),
    CaseState.ACCEPTED: _l("Accepted"),
    CaseState.REFUSED: _l("Not accepted"),
    CaseState.FORWARDED: _l("Forwarded to another body"),
    CaseState.IN_PROGRESS: _l("Being handled"),
    CaseState.WAITING_ON_CITIZEN: _l("Waiting for your information"),
    CaseState.RESOLVED: _l("Answered"),
    CaseState.CLOSED: _l("Closed"),
    CaseState.SUSPENDED: _l("Handling suspended"),
    CaseState.WITHDRAWN: _l("Withdrawn by the citizen"),
    CaseState.TERMINATED: _l("Handling terminated"),
}
CHANNELS = {
    CaseChannel.ONLINE: _l("Online"),
    CaseChannel.IN_PERSON: _l("In person, at the citizen reception office"),
    CaseChannel.POST: _l("By post"),
    CaseChannel.PHONE: _l("By phone"),
    CaseChannel.FORWARDED: _l("Forwarded by another body"),
}
ACTIONS = {
    "accept": _l("Accept"),
    "start": _l("Start handling"),
    "refuse": _l("Refuse, with reasons"),
    "forward": _l("Forward to the competent body"),
    "ask_citizen": _l("Ask the citizen for information"),
    "resume": _l("Resume (information received)"),
    "resolve": _l("Resolve and send the answer"),
    "close": _l("Close"),
    "reopen": _l("Reopen"),
    "suspend": _l("Suspend handling (the clock stops)"),
    "lift_suspension": _l("Lift the suspension and resume handling"),
    "terminate": _l("Terminate handling"),
    "withdraw": _l("Withdraw"),
}
ROLES = {
    Role.OFFICER: _l("Officer"),
    Role.LEADER: _l("Leader"),
    Role.INSPECTOR: _l("Inspector"),
    Role.CUSTODIAN: _l("Identity custodian"),
    Role.ADMIN: _l("Administrator"),
}
EVENTS = {
    "filed": _l("Filed"),
    "assigned": _l("Assigned"),
    "reassigned": _l("Reassigned"),
    "state_changed": _l("Step taken"),
    "note_added": _l("Internal note"),
    "replied": _l("Reply sent"),
    "citizen_wrote": _l("The citizen wrote"),
    "extension_requested": _l("Extension requested"),
    "extension_decided": _l("Extension decided"),
    "identity_viewed": _l("Identity viewed by the custodian"),
    "attachment_cleared": _l("File cleared by the custodian"),
    "answer_rated": _l("The citizen rated the answer"),
    "reopened": _l("Reopened"),
    "due_soon_warned": _l("Handler warned: due soon"),
    "late_notified": _l("Leaders told: late"),
    "denouncer_notified": _l("Denouncer notified by mail"),
    "accused_named": _l("Accused officer named"),
    "rerouted": _l("Routed again"),
    "unassigned_notified": _l("Leaders told: still no handler"),
    "withdrawn": _l("Withdrawn"),
    "partly_withdrawn": _l("Partly withdrawn"),
}

# Keyed by the content types the upload check allows (services/attachments.py).
FILE_TYPES = {
    "image/jpeg": _l("JPEG image"),
    "image/png": _l("PNG image"),
    "application/pdf": _l("PDF document"),
}


def register(jinja_env) -> None:
    from survey.render import due_changes

    jinja_env.globals.update(KIND_LABELS=KINDS, KIND_PURPOSES=KIND_PURPOSES, STATE_LABELS=STATES,
                             ACTION_LABELS=ACTIONS, ROLE_LABELS=ROLES, EVENT_LABELS=EVENTS,
                             FILE_TYPE_LABELS=FILE_TYPES, CHANNEL_LABELS=CHANNELS,
                             describe_due_change=due_changes.describe)


def count_problem_text(transactions: int) -> str | None:
    """Say why ``transactions`` cannot be one month's count, or None (the form and the import)."""
    problem = count_problem(transactions)
    if problem is CountProblem.NEGATIVE:
        return _("The number of transactions cannot be negative.")
    if problem is CountProblem.TOO_MANY:
        return _("More than %(max)s transactions in one month: check the number.",
                 max=format_decimal(MAX_TRANSACTIONS))
    return None
