"""Every case reaches a desk: the demo walk, the Unassigned queue, `survey cases check`,
re-routing after staff changes, the escalation of waiting cases, and the "try it" box."""

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from survey.models import AuditEvent, Case, CaseKind, OutboxMail, Role, Unit, User
from survey.rules.workflow import OPEN_STATES
from survey.services import assignment
from survey.services.escalation import escalate
from survey.services.users import create_user, update_user
from tests.cases_helpers import new_case, staff_post, user
from tests.conftest import login


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def unit(code: str) -> Unit:
    from survey.extensions import db

    return db.session.scalars(select(Unit).where(Unit.code == code)).one()


def file_everything(db) -> list[Case]:
    """File every kind at every unit, and a denunciation naming every officer and leader."""
    filed = []
    handlers = db.session.scalars(select(User).where(User.role.in_((Role.OFFICER, Role.LEADER))))
    for place in db.session.scalars(select(Unit)).all():
        for kind in CaseKind:
            filed.append(new_case(kind, unit=place, counter=None)[0])
    for person in handlers.all():
        filed.append(new_case(CaseKind.DENUNCIATION, unit=person.unit, counter=None,
                              accused=person)[0])
    return filed


def test_every_kind_at_every_unit_naming_every_person_reaches_a_desk(app, demo, db):
    filed = file_everything(db)
    assert len(filed) > 30
    for case in filed:
        assert case.assignee_id is not None, (case.kind, case.unit.code)
        assert case.assignee_id != case.accused_user_id
        assert case.assignee.unit_id == case.handling_unit_id
    result = run(app, "cases", "check", "--format", "json")
    report = json.loads(result.output)
    assert result.exit_code == 0 and report == {"open": len(filed), "off_desk": []}


def test_a_case_at_a_commune_without_staff_goes_up_to_the_province_leader(demo, db):
    case, _ = new_case(CaseKind.FEEDBACK, unit=unit("NB-HL"), counter=None)
    assert case.assignee.username == "chutich"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                        AuditEvent.action == "assigned")).one()
    codes = [reason["code"] for reason in event.detail["reasons"]]
    assert codes == ["no_rule_case_unit", "no_officer", "no_leader", "assigned_leader"]


def test_a_denunciation_about_the_top_leader_goes_to_the_intake_office(demo, db):
    case, _ = new_case(CaseKind.DENUNCIATION, unit=unit("NB"), counter=None,
                       accused=user("chutich"))
    assert case.assignee.unit.code == "NB-TTHCC"
    assert case.assignee.role is Role.OFFICER


def test_the_case_page_says_why_the_case_came_to_its_holder(client, demo, db):
    case, _ = new_case(CaseKind.FEEDBACK, unit=unit("NB-GV"), counter=None)
    login(client, "chutich")
    html = client.get(f"/officer/cases/{case.id}").get_data(as_text=True)
    assert "Không có quy tắc phân công phù hợp: cơ quan liên quan, Xã Gia Viễn, xử lý" in html
    assert "Giao cho Đinh Văn Hùng (Phó Chủ tịch UBND tỉnh), lãnh đạo Tỉnh Ninh Bình" in html


def test_check_reports_a_case_nobody_may_hold_and_exits_1(app, demo, db):
    for person in db.session.scalars(select(User).where(User.role.in_((Role.OFFICER,
                                                                       Role.LEADER)))):
        person.active = False
    db.session.commit()
    case, _ = new_case(CaseKind.FEEDBACK, unit=unit("NB-TTHCC"), counter=None)
    assert case.assignee_id is None and case.unassigned_since is not None
    result = run(app, "cases", "check", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.output) == {"open": 1, "off_desk": [
        {"case": case.id, "kind": "feedback", "unit": "NB-TTHCC", "reason": "unassigned"}]}
    assert "1 on nobody's desk" in run(app, "cases", "check").output
    # the administrators are told at once that nobody may take it
    assert db.session.scalar(select(OutboxMail).where(OutboxMail.recipient.like("admin@%")))


def test_deactivating_a_holder_routes_their_cases_to_a_colleague(demo, db):
    case, _ = new_case(CaseKind.FEEDBACK, unit=unit("NB-TTHCC"), counter=None)
    holder = case.assignee
    update_user(holder, actor=user("admin"), display_name=holder.display_name, email=None,
                role=holder.role, unit=holder.unit, active=False)
    db.session.commit()
    db.session.expire_all()
    assert case.assignee_id not in (None, holder.id)
    assert case.assignee.unit.code == "NB-TTHCC"
    rerouted = db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                           AuditEvent.action == "rerouted")).one()
    assert rerouted.detail["cause"] == "user_changed"
    assert rerouted.detail["previous"] == holder.id


def test_moving_a_holder_to_another_unit_leaves_their_cases_in_the_old_unit(demo, db):
    case, _ = new_case(CaseKind.FEEDBACK, unit=unit("NB-TTHCC"), counter=None)
    holder = case.assignee
    update_user(holder, actor=user("admin"), display_name=holder.display_name, email=None,
                role=holder.role, unit=unit("NB-GV-TT"), active=True)
    db.session.commit()
    db.session.expire_all()
    assert case.assignee_id != holder.id and case.handling_unit.code == "NB-TTHCC"


def test_an_administrator_cannot_deactivate_themselves(demo, db):
    import pytest

    from survey.services import ServiceError

    admin = user("admin")
    with pytest.raises(ServiceError):
        update_user(admin, actor=admin, display_name="x", email=None, role=Role.ADMIN,
                    unit=admin.unit, active=False)


def test_a_new_officer_frees_the_unassigned_cases_of_their_unit(demo, db):
    for person in db.session.scalars(select(User).where(User.role.in_((Role.OFFICER,
                                                                       Role.LEADER)))):
        person.active = False
    db.session.commit()
    case, _ = new_case(CaseKind.COMPLAINT, unit=unit("NB-TD-TT"), counter=None)
    assert case.assignee_id is None
    create_user("moi", role=Role.OFFICER, unit=unit("NB-TD-TT"), password="mat-khau-moi-123")
    db.session.commit()
    db.session.expire_all()
    assert case.assignee.username == "moi"


def test_unassigned_queue_shows_leaders_their_subtree_and_admins_everything(client, app, demo,
                                                                          db):
    waiting, _ = new_case(CaseKind.FEEDBACK, unit=unit("NB-HL-TT"), counter=None)
    # nobody may hold it now: its unit's staff and everyone above are inactive or absent
    for name in ("lanhdao1", "canbo1x", "chutich"):
        user(name).active = False
    waiting.assignee_id, waiting.unassigned_since = None, datetime.now(UTC)
    db.session.commit()
    create_user("lanhdaotinh", role=Role.LEADER, unit=unit("NB"), password="lanhdaotinh-demo-2026",
                display_name="Lãnh đạo tỉnh mới")
    db.session.commit()  # a new leader above: the case is routed to them at once
    db.session.expire_all()
    assert waiting.assignee.username == "lanhdaotinh"
    waiting.assignee_id = None  # as if an old case had no holder: it waits in the queue
    db.session.commit()
    login(client, "lanhdaotinh")
    html = client.get("/officer/unassigned").get_data(as_text=True)
    assert waiting.subject in html and "Có 1 vụ việc đang chờ người xử lý." in html
    login(client, "lanhdao")  # the province centre's leader: not their subtree
    assert waiting.subject not in client.get("/officer/unassigned").get_data(as_text=True)
    login(client, "admin")
    html = client.get("/officer/unassigned").get_data(as_text=True)
    # the admin sees where the case waits, never its content
    assert waiting.subject not in html and "Trung tâm Phục vụ hành chính công phường Hoa Lư" in html
    reply = staff_post(client, f"/officer/unassigned/{waiting.id}/assign",
                       f"/officer/unassigned/{waiting.id}/assign",
                       {"officer_id": user("canbo2").id})
    assert reply.status_code == 302
    db.session.expire_all()
    assert waiting.assignee.username == "canbo2" and waiting.unassigned_since is None


def test_a_leader_takes_a_case_from_the_queue(client, demo, db):
    case, _ = new_case(CaseKind.FEEDBACK, unit=unit("NB-TTHCC"), counter=None)
    case.assignee_id = None
    db.session.commit()
    login(client, "lanhdao")
    reply = staff_post(client, "/officer/unassigned", f"/officer/unassigned/{case.id}/take", {})
    assert reply.status_code == 302
    db.session.expire_all()
    assert case.assignee.username == "lanhdao"


def test_the_accused_never_sees_the_denunciation_in_the_unassigned_queue(client, demo, db):
    case, _ = new_case(CaseKind.DENUNCIATION, unit=unit("NB-TTHCC"), counter=None,
                       accused=user("lanhdao"), subject="Tố cáo giám đốc")
    case.assignee_id, case.handling_unit_id = None, unit("NB-TTHCC").id
    db.session.commit()
    login(client, "lanhdao")
    assert "Tố cáo giám đốc" not in client.get("/officer/unassigned").get_data(as_text=True)
    assert client.post(f"/officer/unassigned/{case.id}/take").status_code in (400, 404)


def test_escalation_tells_the_leaders_above_once_after_a_working_day(app, demo, db):
    for person in db.session.scalars(select(User).where(User.role.in_((Role.OFFICER,
                                                                       Role.LEADER)))):
        person.active = False
    db.session.commit()
    case, _ = new_case(CaseKind.FEEDBACK, unit=unit("NB-TTHCC"), counter=None)
    assert case.assignee_id is None
    db.session.query(OutboxMail).delete()
    db.session.commit()
    # the same day: nothing yet
    assert escalate(datetime.now(UTC)).unassigned == 0
    later = datetime.now(UTC) + timedelta(days=5)
    report = escalate(later)
    assert report.unassigned == 1 and escalate(later).unassigned == 0
    db.session.commit()
    mails = db.session.scalars(select(OutboxMail)).all()
    assert [m.recipient for m in mails] == ["admin@ninhbinh.example"]  # no leader above is active
    assert "đã chờ người xử lý một ngày làm việc" in mails[0].subject


def test_try_it_gives_the_same_holder_as_real_routing_with_names(client, demo, db):
    login(client, "admin")
    for place in ("NB-HL", "NB-TTHCC", "NB", "NB-TTHCC"):
        html = client.get(f"/admin/routing?kind=complaint&unit_id={unit(place).id}"
                          "&procedure_field=&topic=&accused_id=0").get_data(as_text=True)
        case, _ = new_case(CaseKind.COMPLAINT, unit=unit(place), counter=None)
        holder = case.assignee.display_name
        assert f"<strong>Giao cho:</strong> {holder}</p>" in html, place
        assert "#" + str(case.assignee_id) not in html


def test_open_cases_count_matches_the_desks(demo, db):
    file_everything(db)
    on_desks = {case_id for (case_id,) in db.session.execute(
        select(Case.id).where(Case.state.in_(OPEN_STATES), Case.assignee_id.is_not(None)))}
    assert assignment.open_count() == len(on_desks)


def test_every_demo_account_follows_its_menu_and_opens_every_case_it_lists(client, demo, db):
    import re

    file_everything(db)
    db.session.commit()
    for username in demo:
        login(client, username)
        home = client.get("/officer/" if demo[username].role in ("officer", "leader")
                          else "/admin/" if demo[username].role == "admin"
                          else "/inspect/" if demo[username].role == "inspector"
                          else "/officer/custody/")
        assert home.status_code == 200, username
        menu = re.search(r'<nav class="staff".*?</nav>', home.get_data(as_text=True), re.S)
        for link in re.findall(r'href="(/[^"]*)"', menu.group(0)):
            page = client.get(link)
            assert page.status_code == 200, (username, link)
            for case_link in set(re.findall(r'href="(/officer/(?:custody/)?cases/\d+)"',
                                            page.get_data(as_text=True))):
                assert client.get(case_link).status_code == 200, (username, case_link)


def test_a_batch_re_routing_keeps_the_audit_chain_intact_and_sends_one_notice(app, demo, db):
    filed = [new_case(CaseKind.FEEDBACK, unit=unit("NB-TTHCC"), counter=None)[0]
             for _ in range(7)]
    holder = user("canbo1")
    held = [case.id for case in filed if case.assignee_id == holder.id]
    assert held
    db.session.query(OutboxMail).delete()
    update_user(holder, actor=user("admin"), display_name=holder.display_name, email=None,
                role=holder.role, unit=holder.unit, active=False)
    db.session.commit()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "rerouted")).all()
    assert sorted(event.case_id for event in events) == sorted(held)
    assert run(app, "audit", "verify").exit_code == 0
    notices = db.session.scalars(select(OutboxMail)).all()
    assert len(notices) <= 2 and all("được chuyển cho bạn" in m.body for m in notices), \
        [m.body for m in notices]


def test_a_closed_case_offers_no_reassignment(client, demo, db):
    from survey.services.cases import take_action

    case, _ = new_case(CaseKind.COMPLAINT, unit=unit("NB-TTHCC"), counter=None)
    take_action(case, "refuse", actor=case.assignee, text="Không thuộc thẩm quyền.")
    db.session.commit()
    login(client, "lanhdao")
    page = client.get(f"/officer/cases/{case.id}").get_data(as_text=True)
    assert f"/officer/cases/{case.id}/reassign" not in page
    reply = staff_post(client, f"/officer/cases/{case.id}", f"/officer/cases/{case.id}/reassign",
                       {"officer_id": user("canbo3").id})
    assert reply.status_code == 404
