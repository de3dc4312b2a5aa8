"""The case workflow as data: which action leads from which state to which (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from survey.rules.case_states import CaseKind
from survey.rules.case_states import CaseState as S


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[S]
    target: S
    needs_text: bool  # a reason, the answer, or the body the citizen reads


# Suspension and termination (Law 136/2025/QH15) apply to a case the office has accepted: before
# acceptance it refuses instead. Withdrawal is the citizen's own act, open while the case is.
_ACCEPTED = frozenset({S.ACCEPTED, S.IN_PROGRESS, S.WAITING_ON_CITIZEN, S.SUSPENDED})
OPEN_STATES = frozenset({S.RECEIVED, S.ACCEPTED, S.IN_PROGRESS, S.WAITING_ON_CITIZEN,
                         S.SUSPENDED})

# The statutory clock is stopped in these (a pause runs): nothing falls due or late meanwhile.
CLOCK_STOPPED_STATES = frozenset({S.WAITING_ON_CITIZEN, S.SUSPENDED})

TRANSITIONS = {t.action: t for t in (
    Transition("accept", frozenset({S.RECEIVED}), S.ACCEPTED, False),
    Transition("refuse", frozenset({S.RECEIVED}), S.REFUSED, True),
    Transition("forward", frozenset({S.RECEIVED, S.ACCEPTED, S.IN_PROGRESS}), S.FORWARDED, True),
    Transition("start", frozenset({S.ACCEPTED}), S.IN_PROGRESS, False),
    Transition("ask_citizen", frozenset({S.ACCEPTED, S.IN_PROGRESS}), S.WAITING_ON_CITIZEN, True),
    Transition("resume", frozenset({S.WAITING_ON_CITIZEN}), S.IN_PROGRESS, False),
    Transition("resolve", frozenset({S.ACCEPTED, S.IN_PROGRESS}), S.RESOLVED, True),
    Transition("close", frozenset({S.RESOLVED, S.REFUSED, S.FORWARDED}), S.CLOSED, False),
    Transition("reopen", frozenset({S.RESOLVED, S.CLOSED}), S.IN_PROGRESS, True),
    Transition("suspend", frozenset({S.ACCEPTED, S.IN_PROGRESS}), S.SUSPENDED, True),
    Transition("lift_suspension", frozenset({S.SUSPENDED}), S.IN_PROGRESS, False),
    Transition("terminate", _ACCEPTED, S.TERMINATED, True),
    Transition("withdraw", OPEN_STATES, S.WITHDRAWN, True),
)}

# Staff may take these; "reopen" is the citizen's (from the tracking page, within the period),
# and so is "withdraw" (an officer only records a withdrawal the citizen wrote on paper).
STAFF_ACTIONS = ("accept", "start", "resolve", "ask_citizen", "resume", "refuse", "forward",
                 "close", "suspend", "lift_suspension", "terminate")
# Suspending and terminating are written decisions of the person competent to resolve the case
# (the head of the body, under the Laws on Complaints and on Denunciations as amended by Law
# 136/2025/QH15), not of the officer who verifies the facts; here that person is a leader.
LEADER_ACTIONS = frozenset({"suspend", "lift_suspension", "terminate"})
# Only complaints and denunciations can be withdrawn; feedback is simply answered.
WITHDRAWABLE_KINDS = frozenset({CaseKind.COMPLAINT, CaseKind.DENUNCIATION})


def is_open(state: S) -> bool:
    return state in OPEN_STATES


def can(action: str, state: S) -> bool:
    transition = TRANSITIONS.get(action)
    return transition is not None and state in transition.sources


def staff_actions(state: S, *, leader: bool = False) -> list[str]:
    """The actions a handler (or a leader) may take on a case in this state, in the order shown."""
    return [a for a in STAFF_ACTIONS
            if can(a, state) and (leader or a not in LEADER_ACTIONS)]


def can_withdraw(kind: CaseKind, state: S) -> bool:
    """True when the citizen may still withdraw the case, in whole or in part."""
    return kind in WITHDRAWABLE_KINDS and can("withdraw", state)
