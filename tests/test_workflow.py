"""The case workflow (pure rules) and the citizen's verdict on the answer."""

import re

import pytest

from survey.models import CaseKind, CaseState
from survey.rules import workflow
from survey.services import cases as case_service
from tests.cases_helpers import new_case, user
from tests.conftest import csrf_token

S = CaseState


@pytest.mark.parametrize(("state", "actions"), [
    (S.RECEIVED, ["accept", "refuse", "forward"]),
    (S.ACCEPTED, ["start", "resolve", "ask_citizen", "forward"]),
    (S.IN_PROGRESS, ["resolve", "ask_citizen", "forward"]),
    (S.WAITING_ON_CITIZEN, ["resume"]),
    (S.RESOLVED, ["close"]),
    (S.REFUSED, ["close"]),
    (S.CLOSED, []),
    (S.SUSPENDED, []),
    (S.WITHDRAWN, []),
    (S.TERMINATED, []),
])
def test_staff_see_only_the_steps_the_state_allows(state, actions):
    assert workflow.staff_actions(state) == actions


@pytest.mark.parametrize(("state", "actions"), [
    (S.RECEIVED, ["accept", "refuse", "forward"]),
    (S.ACCEPTED, ["start", "resolve", "ask_citizen", "forward", "suspend", "terminate"]),
    (S.IN_PROGRESS, ["resolve", "ask_citizen", "forward", "suspend", "terminate"]),
    (S.WAITING_ON_CITIZEN, ["resume", "terminate"]),
    (S.SUSPENDED, ["lift_suspension", "terminate"]),
    (S.WITHDRAWN, []),
    (S.TERMINATED, []),
])
def test_leaders_also_see_suspension_and_termination(state, actions):
    assert workflow.staff_actions(state, leader=True) == actions


def test_refusing_resolving_asking_forwarding_suspending_ending_need_a_text():
    # Law 136/2025/QH15 added suspension, termination and withdrawal: each has a written reason
    assert {a for a, t in workflow.TRANSITIONS.items() if t.needs_text} == \
        {"refuse", "forward", "ask_citizen", "resolve", "reopen", "suspend", "terminate",
         "withdraw"}


def test_open_states_are_those_still_on_the_clock_or_suspended():
    # a suspended case stays on desks (its clock is stopped); withdrawn and terminated end it
    assert {s for s in S if workflow.is_open(s)} == \
        {S.RECEIVED, S.ACCEPTED, S.IN_PROGRESS, S.WAITING_ON_CITIZEN, S.SUSPENDED}


@pytest.mark.parametrize(("kind", "state", "allowed"), [
    (CaseKind.COMPLAINT, S.RECEIVED, True),
    (CaseKind.DENUNCIATION, S.SUSPENDED, True),
    (CaseKind.FEEDBACK, S.IN_PROGRESS, False),
    (CaseKind.COMPLAINT, S.RESOLVED, False),
    (CaseKind.COMPLAINT, S.WITHDRAWN, False),
])
def test_only_open_complaints_and_denunciations_can_be_withdrawn(kind, state, allowed):
    assert workflow.can_withdraw(kind, state) is allowed


def resolve(case):
    officer = case.assignee
    for action, text in (("accept", ""), ("start", ""), ("resolve", "Đã giải quyết.")):
        case_service.take_action(case, action, actor=officer, text=text)


def rate(client, code: str, verdict: str, reason: str = ""):
    page = client.get("/track").get_data(as_text=True)
    client.post("/track", data={"csrf_token": csrf_token(page), "code": code})
    return client.post("/track/rate", data={"csrf_token": csrf_token(page), "code": code,
                                             "satisfied": verdict, "reason": reason})


def test_an_unsatisfied_citizen_reopens_the_case_within_the_period(client, demo, db):
    case, code = new_case(CaseKind.COMPLAINT)
    resolve(case)
    db.session.commit()
    reply = rate(client, code, "no", "Chưa trả lời đúng câu hỏi của tôi")
    assert reply.status_code == 200
    db.session.expire_all()
    assert case.state is S.IN_PROGRESS and case.reopened_count == 1
    assert case.citizen_satisfied is False
    assert next(m for m in case.milestones if m.name == "resolve").met_at is None


def test_a_satisfied_citizen_leaves_the_case_resolved_and_cannot_rate_twice(client, demo, db):
    case, code = new_case()
    resolve(case)
    db.session.commit()
    assert rate(client, code, "yes").status_code == 200
    again = rate(client, code, "no")
    assert again.status_code == 400
    db.session.expire_all()
    assert case.state is S.RESOLVED and case.citizen_satisfied is True


def test_the_answer_cannot_be_rated_before_there_is_one(client, demo, db):
    case, code = new_case()
    reply = rate(client, code, "no")
    assert reply.status_code == 400 and re.search(r'class="err"', reply.get_data(as_text=True))
    db.session.expire_all()
    assert case.citizen_satisfied is None and user("admin") is not None
