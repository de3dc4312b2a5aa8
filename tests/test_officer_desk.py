"""The officer's desk and the leader's view: queues, steps, replies, extensions, reassignment."""

import re

import pytest
from sqlalchemy import select

from survey.models import AuditEvent, CaseKind, CaseState, Milestone, Visibility
from tests.cases_helpers import new_case, staff_post, user
from tests.conftest import csrf_token, login


def act(client, case_id: int, action: str, text: str = "", **extra):
    return staff_post(client, f"/officer/cases/{case_id}", f"/officer/cases/{case_id}/act",
                      {"action": action, "text": text, **extra})


def test_officer_sees_their_cases_by_nearest_deadline(client, demo, db):
    first, _ = new_case(subject="Thứ nhất")
    second, _ = new_case(CaseKind.COMPLAINT, subject="Thứ hai")
    handler = first.assignee
    login(client, handler.username)
    html = client.get("/officer/").get_data(as_text=True)
    mine = [c for c in (first, second) if c.assignee_id == handler.id]
    assert all(f"/officer/cases/{c.id}" in html for c in mine)
    ids = [int(i) for i in re.findall(r'<tr><td>[^<]*</td><td>[^<]*</td><td><a href="/officer/cases/(\d+)">',
                                      html)]
    assert ids  # the rows were found
    dues = {c.id: min(m.due for m in c.milestones) for c in mine}
    assert ids == sorted(dues, key=lambda i: (dues[i], i))


def test_officer_accepts_answers_and_the_citizen_reads_the_answer(client, demo, db):
    case, code = new_case(CaseKind.COMPLAINT)
    login(client, case.assignee.username)
    assert act(client, case.id, "accept").status_code == 302
    assert act(client, case.id, "start").status_code == 302
    assert act(client, case.id, "resolve", "Quyết định 12 được sửa đổi theo đề nghị của Ông.").status_code == 302
    db.session.expire_all()
    assert case.state is CaseState.RESOLVED and case.accepted_on is not None
    assert {m.name: m.met_at is not None for m in case.milestones} == \
        {"accept": True, "forward": True, "resolve": True}
    citizen = client.application.test_client()
    page = citizen.get("/track").get_data(as_text=True)
    status = citizen.post("/track", data={"csrf_token": csrf_token(page), "code": code})
    assert "Quyết định 12 được sửa đổi" in status.get_data(as_text=True)


def test_step_not_allowed_in_the_state_is_refused(client, demo, db):
    case, _ = new_case()
    login(client, case.assignee.username)
    reply = act(client, case.id, "resolve", "Xong")
    assert reply.status_code == 400
    db.session.expire_all()
    assert case.state is CaseState.RECEIVED


def test_refusal_needs_a_reason(client, demo, db):
    case, _ = new_case()
    login(client, case.assignee.username)
    assert act(client, case.id, "refuse", "").status_code == 400
    assert act(client, case.id, "refuse", "Không thuộc thẩm quyền giải quyết").status_code == 302


def test_step_without_csrf_token_is_refused(client, demo, db):
    case, _ = new_case()
    login(client, case.assignee.username)
    reply = client.post(f"/officer/cases/{case.id}/act", data={"action": "accept"})
    assert reply.status_code == 400
    db.session.expire_all()
    assert case.state is CaseState.RECEIVED


def test_internal_notes_never_reach_the_citizen(client, demo, db):
    case, code = new_case()
    login(client, case.assignee.username)
    staff_post(client, f"/officer/cases/{case.id}", f"/officer/cases/{case.id}/notes",
               {"body": "Ghi chú nội bộ: kiểm tra camera"})
    citizen = client.application.test_client()
    page = citizen.get("/track").get_data(as_text=True)
    html = citizen.post("/track", data={"csrf_token": csrf_token(page), "code": code}).get_data(as_text=True)
    assert "kiểm tra camera" not in html
    assert case.messages[0].visibility is Visibility.INTERNAL


def test_another_officer_cannot_open_the_case(client, demo, db):
    case, _ = new_case()
    other = next(u for u in ("canbo1", "canbo2", "canbo3") if u != case.assignee.username)
    login(client, other)
    assert client.get(f"/officer/cases/{case.id}").status_code == 404
    token = csrf_token(client.get("/officer/").get_data(as_text=True))
    reply = client.post(f"/officer/cases/{case.id}/act", data={"csrf_token": token,
                                                                "action": "accept"})
    assert reply.status_code == 404


def test_waiting_on_the_citizen_stops_the_clock(client, demo, db):
    case, _ = new_case()
    login(client, case.assignee.username)
    act(client, case.id, "accept")
    act(client, case.id, "ask_citizen", "Xin Ông/Bà cho biết số hồ sơ.")
    db.session.expire_all()
    assert case.state is CaseState.WAITING_ON_CITIZEN and case.pauses[0].ended_on is None
    act(client, case.id, "resume")
    db.session.expire_all()
    assert case.state is CaseState.IN_PROGRESS and case.pauses[0].ended_on is not None


def test_leader_reassigns_within_the_unit_and_it_is_audited(client, demo, db):
    case, _ = new_case()
    target = next(u for u in ("canbo1", "canbo2", "canbo3") if u != case.assignee.username)
    login(client, "lanhdao")
    reply = staff_post(client, f"/officer/cases/{case.id}", f"/officer/cases/{case.id}/reassign",
                       {"officer_id": user(target).id})
    assert reply.status_code == 302
    db.session.expire_all()
    assert case.assignee.username == target
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case.id)).all()[-1] == "reassigned"


def test_extension_needs_a_reason_and_another_persons_approval(client, demo, db):
    case, _ = new_case(CaseKind.DENUNCIATION, accused=None)
    handler = case.assignee
    login(client, handler.username)
    act(client, case.id, "accept")
    reply = staff_post(client, f"/officer/cases/{case.id}", f"/officer/cases/{case.id}/extension",
                       {"complexity": "1", "reason": "Phải xác minh tại hai địa điểm."})
    assert reply.status_code == 302
    db.session.expire_all()
    resolve_before = next(m for m in case.milestones if m.name == "resolve")
    days_before, due_before = resolve_before.days, resolve_before.due
    leader = "lanhdao" if handler.username != "lanhdao" else None
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/officer/").get_data(as_text=True))})
    login(client, leader)
    html = client.get("/officer/extensions").get_data(as_text=True)
    request_id = re.search(r'/officer/extensions/(\d+)', html).group(1)
    assert client.post(f"/officer/extensions/{request_id}", data={
        "csrf_token": csrf_token(html), "decision": "approve"}).status_code == 302
    db.session.expire_all()
    resolve_after = next(m for m in case.milestones if m.name == "resolve")
    assert case.extensions_granted == 1
    assert (days_before, resolve_after.days) == (30, 60)  # Law on Denunciations art. 30
    assert resolve_after.due > due_before


def test_late_cases_are_listed_for_the_leader(client, demo, db):
    case, _ = new_case()
    for milestone in db.session.scalars(select(Milestone).where(Milestone.case_id == case.id)):
        milestone.due = milestone.due.replace(year=milestone.due.year - 1)
    db.session.commit()
    login(client, "lanhdao")
    html = client.get("/officer/late").get_data(as_text=True)
    assert f"/officer/cases/{case.id}" in html and 'class="late"' in html


def test_desk_search_and_filters(client, demo, db):
    case, _ = new_case(subject="Mất hồ sơ đất đai")
    new_case(subject="Thái độ không tốt")
    login(client, "lanhdao")
    html = client.get("/officer/queue?q=hồ+sơ+đất").get_data(as_text=True)
    assert "Mất hồ sơ đất đai" in html and "Thái độ không tốt" not in html
    html = client.get("/officer/queue?kind=complaint").get_data(as_text=True)
    assert "Mất hồ sơ đất đai" not in html


@pytest.mark.parametrize("typed", ["HỒ SƠ ĐẤT", "ho so dat", "Ho  So Dat Dai"])
def test_desk_search_forgives_capitals_and_missing_marks(client, demo, db, typed):
    new_case(subject="Mất hồ sơ đất đai")
    new_case(subject="Thái độ không tốt", description="Cán bộ nói chuyện thiếu tôn trọng")
    login(client, "lanhdao")
    html = client.get("/officer/queue", query_string={"q": typed}).get_data(as_text=True)
    assert "Mất hồ sơ đất đai" in html and "Thái độ không tốt" not in html


def test_desk_search_reads_the_description_too(client, demo, db):
    new_case(subject="Thái độ không tốt", description="Cán bộ nói chuyện THIẾU TÔN TRỌNG")
    login(client, "lanhdao")
    html = client.get("/officer/queue?q=thieu+ton+trong").get_data(as_text=True)
    assert "Thái độ không tốt" in html
