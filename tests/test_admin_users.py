"""Staff accounts in the administration: list, create, change, deactivate, audited."""

from sqlalchemy import select

from survey.models import AuditEvent, CaseKind, Role, Unit, User
from tests.cases_helpers import new_case, staff_post, user
from tests.conftest import login


def test_the_user_list_is_paged_and_searchable(client, demo, db):
    login(client, "admin")
    html = client.get("/admin/users?q=canbo").get_data(as_text=True)
    assert "canbo1" in html and "thanhtra" not in html
    assert client.get("/admin/users?page=99999999999999999999").status_code == 200
    nul = client.get("/admin/users?q=can%00bo")
    assert nul.status_code == 200 and "không được phép" in nul.get_data(as_text=True)


def test_an_administrator_creates_an_officer_who_gets_cases(client, demo, db):
    login(client, "admin")
    hub = db.session.scalars(select(Unit).where(Unit.code == "NB-GV-TT")).one()
    reply = staff_post(client, "/admin/users/new", "/admin/users/new", {
        "username": "canbomoi", "display_name": "Cán bộ mới", "email": "",
        "role": "officer", "unit_id": hub.id, "password": "mat-khau-rat-dai", "active": "y"})
    assert reply.status_code == 302
    created = user("canbomoi")
    assert created.role is Role.OFFICER and created.unit_id == hub.id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user_created"))


def test_a_short_password_re_renders_the_form_with_what_was_typed(client, demo, db):
    login(client, "admin")
    hub = db.session.scalars(select(Unit).where(Unit.code == "NB-GV-TT")).one()
    reply = staff_post(client, "/admin/users/new", "/admin/users/new", {
        "username": "canbomoi", "display_name": "Cán bộ Mới Tên", "role": "officer",
        "unit_id": hub.id, "password": "ngan"})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 400 and "Cán bộ Mới Tên" in html
    assert db.session.scalar(select(User).where(User.username == "canbomoi")) is None


def test_a_nul_character_in_any_form_field_is_refused_with_a_message(client, demo, db):
    login(client, "admin")
    hub = db.session.scalars(select(Unit).where(Unit.code == "NB-GV-TT")).one()
    reply = staff_post(client, "/admin/users/new", "/admin/users/new", {
        "username": "canbomoi", "display_name": "Cán bộ\x00 Mới", "role": "officer",
        "unit_id": hub.id, "password": "mat-khau-rat-dai"})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 400 and "Cán bộ Mới" in html and "không được phép" in html


def test_deactivating_an_officer_in_the_admin_moves_their_open_cases(client, demo, db):
    case, _ = new_case(CaseKind.FEEDBACK)
    holder = case.assignee
    login(client, "admin")
    page = f"/admin/users/{holder.id}"
    reply = staff_post(client, page, page, {
        "display_name": holder.display_name, "email": holder.email or "", "role": "officer",
        "unit_id": holder.unit_id})  # "active" unticked
    assert reply.status_code == 302
    db.session.expire_all()
    assert not holder.active and case.assignee_id not in (None, holder.id)
    changed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user_changed")
                                 ).one()
    assert changed.detail == {"user": holder.id, "active": False}


def test_leaders_and_officers_cannot_reach_the_user_pages(client, demo, db):
    for name in ("lanhdao", "canbo1"):
        login(client, name)
        assert client.get("/admin/users").status_code == 403
