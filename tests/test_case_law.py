"""Law 136/2025/QH15: withdrawal in whole or in part, suspension (the clock stops), termination;
the forward milestone's citation per kind; why a due date moved."""

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from survey.models import (
    AuditEvent,
    CaseKind,
    CasePause,
    CaseState,
    CaseWithdrawal,
    DayKind,
    MilestoneChange,
    OutboxMail,
    PauseKind,
)
from survey.models.base import utcnow
from survey.rules import deadlines, workflow
from survey.services import cases as case_service
from survey.services import milestones, rules
from tests.cases_helpers import new_case, staff_post, user
from tests.conftest import csrf_token, login
from tests.test_cases_public import track

S = CaseState


def withdraw_online(client, code: str, **fields):
    page = client.get("/track").get_data(as_text=True)
    track(client, code)
    return client.post("/track/withdraw", data={"csrf_token": csrf_token(page), "code": code,
                                                **fields})


def act(client, case_id: int, action: str, text: str = ""):
    return staff_post(client, f"/officer/cases/{case_id}", f"/officer/cases/{case_id}/act",
                      {"action": action, "text": text})


def today():
    return milestones.local_day(utcnow())


def resolve_milestone(case):
    return next(m for m in case.milestones if m.name == "resolve")


# ---- withdrawal ------------------------------------------------------------------------------

def test_a_complainant_withdraws_some_points_online_and_the_case_goes_on(client, demo, db):
    case, code = new_case(CaseKind.COMPLAINT)
    reply = withdraw_online(client, code, scope="part", points="Yêu cầu bồi thường 2 triệu đồng",
                            reason="Đã được hoàn tiền", confirm="y")
    assert reply.status_code == 200
    assert "Yêu cầu bồi thường 2 triệu đồng" in reply.get_data(as_text=True)
    db.session.expire_all()
    assert case.state is S.RECEIVED
    [withdrawal] = case.withdrawals
    assert not withdrawal.whole and not withdrawal.on_paper
    login(client, case.assignee.username)
    html = client.get(f"/officer/cases/{case.id}").get_data(as_text=True)
    assert 'class="note withdrawn"' in html and "không xem xét lại" in html
    assert "Yêu cầu bồi thường 2 triệu đồng" in html
    assert f"/officer/cases/{case.id}" in client.get("/officer/").get_data(as_text=True)


def test_withdrawing_the_whole_case_ends_it_and_takes_it_off_the_desk(client, demo, db):
    case, code = new_case(CaseKind.DENUNCIATION, accused=None)
    reply = withdraw_online(client, code, scope="whole", reason="Tôi đã hiểu nhầm", confirm="y")
    html = reply.get_data(as_text=True)
    assert reply.status_code == 200 and "Đã rút đơn" in html
    assert 'action="/track/withdraw"' not in html and 'action="/track/message"' not in html
    db.session.expire_all()
    assert case.state is S.WITHDRAWN and case.closed_at is not None
    assert db.session.scalars(select(AuditEvent.actor_kind).where(
        AuditEvent.case_id == case.id, AuditEvent.action == "withdrawn")).one() == "citizen"
    login(client, "lanhdao")
    assert f"/officer/cases/{case.id}" not in client.get("/officer/queue").get_data(as_text=True)
    again = withdraw_online(client.application.test_client(), code, scope="whole",
                            reason="Lần nữa", confirm="y")
    assert again.status_code == 400


@pytest.mark.parametrize(("fields", "error"), [
    ({"scope": "whole", "reason": "Thôi"}, "err-confirm"),
    ({"scope": "part", "reason": "Thôi", "confirm": "y"}, "err-points"),
    ({"scope": "whole", "confirm": "y"}, "err-reason"),
])
def test_a_withdrawal_needs_its_points_reason_and_confirmation(client, demo, db, fields, error):
    case, code = new_case(CaseKind.COMPLAINT)
    reply = withdraw_online(client, code, **fields)
    assert reply.status_code == 400 and f'id="{error}"' in reply.get_data(as_text=True)
    db.session.expire_all()
    assert case.state is S.RECEIVED and not case.withdrawals


def test_feedback_cannot_be_withdrawn(client, demo, db):
    case, code = new_case()
    assert 'action="/track/withdraw"' not in track(client, code).get_data(as_text=True)
    reply = withdraw_online(client, code, scope="whole", reason="Thôi", confirm="y")
    assert reply.status_code == 400
    db.session.expire_all()
    assert case.state is S.RECEIVED


def test_an_officer_records_a_written_withdrawal_received_on_paper(client, demo, db):
    case, code = new_case(CaseKind.COMPLAINT)
    login(client, case.assignee.username)
    received = (today() - timedelta(days=1) if milestones.local_day(case.received_at) < today()
                else today())
    reply = staff_post(client, f"/officer/cases/{case.id}",
                       f"/officer/cases/{case.id}/withdrawal",
                       {"scope": "whole", "reason": "Đơn rút ngày hôm qua",
                        "received_on": received.isoformat()})
    assert reply.status_code == 302
    db.session.expire_all()
    [withdrawal] = db.session.scalars(select(CaseWithdrawal)).all()
    assert case.state is S.WITHDRAWN and withdrawal.on_paper
    assert withdrawal.recorded_by_id == case.assignee_id
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "withdrawn")).one()
    assert event.actor_id == case.assignee_id
    assert db.session.scalars(select(OutboxMail.recipient)).all()[-1] == "an@example.vn"
    assert "Đã rút đơn" in track(client.application.test_client(), code).get_data(as_text=True)


def test_a_written_withdrawal_dated_in_the_future_is_refused(client, demo, db):
    case, _ = new_case(CaseKind.COMPLAINT)
    login(client, case.assignee.username)
    reply = staff_post(client, f"/officer/cases/{case.id}",
                       f"/officer/cases/{case.id}/withdrawal",
                       {"scope": "part", "points": "Điểm 2", "reason": "Rút",
                        "received_on": (today() + timedelta(days=3)).isoformat()})
    assert reply.status_code == 400 and 'id="err-received_on"' in reply.get_data(as_text=True)
    assert "Điểm 2" in reply.get_data(as_text=True)


# ---- suspension and termination --------------------------------------------------------------

def accepted_complaint(db, days_ago: int = 0):
    """A complaint accepted ``days_ago`` (its clock runs from then), as its handler left it."""
    case, code = new_case(CaseKind.COMPLAINT)
    case_service.take_action(case, "accept", actor=case.assignee)
    case.accepted_on = today() - timedelta(days=days_ago)
    case.received_at -= timedelta(days=days_ago)
    milestones.refresh(case)
    db.session.commit()
    return case, code


def test_only_a_leader_suspends_and_the_officer_sees_no_such_button(client, demo, db):
    case, _ = accepted_complaint(db)
    login(client, case.assignee.username)
    html = client.get(f"/officer/cases/{case.id}").get_data(as_text=True)
    assert 'value="suspend"' not in html and 'value="terminate"' not in html
    assert act(client, case.id, "suspend", "Chờ kết quả giám định").status_code == 400
    db.session.expire_all()
    assert case.state is S.ACCEPTED


def test_a_suspension_needs_a_written_reason(client, demo, db):
    case, _ = accepted_complaint(db)
    login(client, "lanhdao")
    assert act(client, case.id, "suspend", "").status_code == 400


def test_suspension_stops_the_clock_and_resuming_moves_the_due_date_by_its_span(
        client, demo, db):
    case, code = accepted_complaint(db, days_ago=20)
    due_before = resolve_milestone(case).due
    login(client, "lanhdao")
    assert act(client, case.id, "suspend", "Chờ kết quả giám định của Sở Xây dựng").status_code == 302
    db.session.expire_all()
    assert case.state is S.SUSPENDED and workflow.is_open(case.state)  # still on the desks
    status = track(client.application.test_client(), code).get_data(as_text=True)
    assert "Tạm đình chỉ giải quyết" in status and "Chờ kết quả giám định của Sở Xây dựng" in status
    assert f"/officer/cases/{case.id}" in client.get("/officer/queue").get_data(as_text=True)
    # ten days pass while suspended
    pause = db.session.scalars(select(CasePause)).one()
    assert pause.kind is PauseKind.SUSPENDED
    pause.started_on = today() - timedelta(days=10)
    db.session.commit()
    assert act(client, case.id, "lift_suspension").status_code == 302
    db.session.expire_all()
    resolve = resolve_milestone(case)
    assert case.state is S.IN_PROGRESS and pause.ended_on == today()
    assert resolve.paused_days == 10
    expected = deadlines.compute_milestones(
        milestones.rulebook(), milestones.calendar(case.accepted_on), "complaint",
        received=milestones.local_day(case.received_at), accepted=case.accepted_on,
        paused=[(pause.started_on, pause.ended_on)])
    assert resolve.due == next(m.due for m in expected if m.name == "resolve") > due_before
    change = [c for c in case.due_changes if c.milestone == "resolve"][-1]
    assert (change.old_due, change.new_due) == (due_before, resolve.due)
    assert change.causes == [{"cause": "suspended", "unit": "calendar", "days": 10}]
    page = client.get(f"/officer/cases/{case.id}").get_data(as_text=True)
    assert f"trước đây là {due_before:%d/%m/%Y}; cộng thêm 10 ngày tạm đình chỉ giải quyết" in page


def test_a_suspended_case_is_never_escalated_as_late(app, client, demo, db):
    case, _ = accepted_complaint(db)
    case_service.take_action(case, "suspend", actor=user("lanhdao"), text="Chờ giám định")
    db.session.commit()
    months_later = (utcnow() + timedelta(days=120)).isoformat()
    result = app.test_cli_runner().invoke(args=["cases", "escalate", "--now", months_later,
                                                "--format", "json"])
    assert json.loads(result.output) == {"warned": 0, "late": 0, "rerouted": 0, "unassigned": 0}


def test_termination_ends_the_case_with_its_reason_shown_to_the_citizen(client, demo, db):
    case, code = accepted_complaint(db)
    login(client, "lanhdao")
    act(client, case.id, "suspend", "Chờ giám định")
    assert act(client, case.id, "terminate", "Người khiếu nại đã qua đời, không có người thừa kế quyền khiếu nại").status_code == 302
    db.session.expire_all()
    assert case.state is S.TERMINATED and case.closed_at is not None
    assert all(p.ended_on is not None for p in case.pauses)
    status = track(client.application.test_client(), code).get_data(as_text=True)
    assert "Đình chỉ giải quyết" in status and "không có người thừa kế" in status
    assert 'action="/track/message"' not in status
    assert f"/officer/cases/{case.id}" not in client.get("/officer/queue").get_data(as_text=True)
    steps = db.session.scalars(select(AuditEvent.detail).where(
        AuditEvent.case_id == case.id, AuditEvent.action == "state_changed")).all()
    assert [s["step"] for s in steps][-2:] == ["suspend", "terminate"]


def test_staff_cannot_withdraw_or_reopen_through_the_step_form(client, demo, db):
    case, _ = accepted_complaint(db)
    login(client, "lanhdao")
    assert act(client, case.id, "withdraw", "Thay công dân").status_code == 400
    db.session.expire_all()
    assert case.state is S.ACCEPTED


# ---- why a due date moved ----------------------------------------------------------------------

def test_acceptance_moves_the_resolution_date_and_both_pages_say_why(client, demo, db):
    case, code = new_case(CaseKind.COMPLAINT)
    worst_case = resolve_milestone(case).due
    login(client, case.assignee.username)
    act(client, case.id, "accept")
    db.session.expire_all()
    resolve = resolve_milestone(case)
    assert resolve.due < worst_case
    reason = (f"trước đây là {worst_case:%d/%m/%Y}; tính từ ngày thụ lý "
              f"{case.accepted_on:%d/%m/%Y}")
    assert reason in client.get(f"/officer/cases/{case.id}").get_data(as_text=True)
    assert reason in track(client.application.test_client(), code).get_data(as_text=True)


def test_an_approved_extension_says_by_how_much_and_who_approved_it(client, demo, db):
    case, code = new_case(CaseKind.DENUNCIATION, accused=None)
    handler = case.assignee
    case_service.take_action(case, "accept", actor=handler)
    request = case_service.request_extension(case, "Phải xác minh tại hai địa điểm.", 1,
                                             actor=handler)
    leader = user("lanhdao") if handler.username != "lanhdao" else user("canbo1")
    case_service.decide_extension(request, True, actor=leader)
    db.session.commit()
    change = db.session.scalars(select(MilestoneChange).where(
        MilestoneChange.milestone == "resolve").order_by(MilestoneChange.id)).all()[-1]
    assert change.causes[0] == {"cause": "extended", "days": 30, "unit": "calendar",
                                "by": leader.id}
    login(client, handler.username)
    page = client.get(f"/officer/cases/{case.id}").get_data(as_text=True)
    assert f"gia hạn thêm 30 ngày (do {leader.display_name} phê duyệt)" in page
    public = track(client.application.test_client(), code).get_data(as_text=True)
    assert "gia hạn thêm 30 ngày (do lãnh đạo phê duyệt)" in public
    assert leader.display_name not in public


def test_a_new_day_off_moves_open_deadlines_and_says_the_calendar_changed(client, demo, db):
    case, _ = new_case()
    forward = next(m for m in case.milestones if m.name == "forward")
    rules.set_calendar_day(forward.due - timedelta(days=1) if forward.due.weekday() else
                           forward.due - timedelta(days=3), DayKind.DAY_OFF, "Nghỉ bù",
                           actor=user("admin"))
    db.session.commit()
    changes = db.session.scalars(select(MilestoneChange)).all()
    assert changes and all(c.causes == [{"cause": "calendar"}] for c in changes)


# ---- the forward milestone's citation per kind -------------------------------------------------

@pytest.mark.parametrize(("kind", "days", "cites"), [
    ("feedback", 10, "05/2021/TT-TTCP"),
    ("complaint", 10, "05/2021/TT-TTCP"),
    ("complaint-second", 10, "05/2021/TT-TTCP"),
    ("denunciation", 5, "Khoản 2 Điều 24 Luật Tố cáo 2018"),
])
def test_deadlines_compute_cites_the_forwarding_rule_of_each_kind(app, db, kind, days, cites):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["deadlines", "compute", "--kind", kind, "--received",
                                 "2027-03-01", "--outside-competence", "--format", "json"])
    assert result.exit_code == 0, result.output
    milestones_out = json.loads(result.output)["milestones"]
    assert all(set(m) == {"name", "due", "unit", "days", "basis"} for m in milestones_out)
    forward = next(m for m in milestones_out if m["name"] == "forward")
    assert (forward["days"], forward["unit"]) == (days, "working") and cites in forward["basis"]
    if kind != "denunciation":
        assert "Tố cáo" not in forward["basis"]
    plain = runner.invoke(args=["deadlines", "compute", "--kind", kind, "--received",
                                "2027-03-01", "--format", "json"])
    assert "forward" not in {m["name"] for m in json.loads(plain.output)["milestones"]}


def test_a_case_forwarded_shows_its_citation_on_the_desk(client, demo, db):
    case, _ = new_case(CaseKind.COMPLAINT)
    login(client, case.assignee.username)
    html = client.get(f"/officer/cases/{case.id}").get_data(as_text=True)
    row = re.search(r"<tr><td>Hướng dẫn bằng văn bản.*?</tr>", html, re.S).group(0)
    assert "Thông tư 05/2021/TT-TTCP" in row and "Luật Tố cáo" not in row
