"""The case workflow as data: which action leads from which state to which (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from survey.models.cases import CaseState as S


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[S]
    target: S
    needs_text: bool  # a reason, the answer, or the body the citizen reads


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
)}

OPEN_STATES = frozenset({S.RECEIVED, S.ACCEPTED, S.IN_PROGRESS, S.WAITING_ON_CITIZEN})
# Staff may take these; "reopen" is the citizen's (from the tracking page, within the period).
STAFF_ACTIONS = ("accept", "start", "resolve", "ask_citizen", "resume", "refuse", "forward",
                 "close")


def is_open(state: S) -> bool:
    return state in OPEN_STATES


def can(action: str, state: S) -> bool:
    transition = TRANSITIONS.get(action)
    return transition is not None and state in transition.sources


def staff_actions(state: S) -> list[str]:
    """The actions a handler may take on a case in this state, in the order shown."""
    return [a for a in STAFF_ACTIONS if can(a, state)]
