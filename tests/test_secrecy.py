"""A denouncer's identity stays secret, and the accused never reaches the denunciation."""

import io
import logging
import re

from PIL import Image
from sqlalchemy import select, text

from survey.models import AuditEvent, CaseKind, OutboxMail
from survey.services import assignment
from survey.services.attachments import store
from survey.services.rules import declare_conflict
from tests.cases_helpers import new_case, staff_post, user
from tests.conftest import csrf_token, login

IDENTITY = ("Lê Thị Cúc", "5 Lê Lợi", "cuc@example.vn")


def denunciation_about(username: str, **extra):
    return new_case(CaseKind.DENUNCIATION, accused=user(username),
                    subject="Đòi tiền bồi dưỡng", **extra)


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_denunciation_never_routed_to_the_accused_officer(demo, db):
    case, _ = denunciation_about("canbo1")
    assert case.assignee_id != user("canbo1").id
    assert case.assignee.username == "lanhdao"  # the leader of the accused's unit


def test_denunciation_about_a_leader_goes_to_the_parent_units_leader(demo, db):
    case, _ = denunciation_about("lanhdao")  # the centre's director: the province's leader
    assert case.assignee.username == "chutich"


def test_accused_cannot_reach_the_denunciation_by_list_search_url_or_file(client, demo, db):
    case, _ = denunciation_about("lanhdao1")  # a commune leader, so the accused is a leader
    store(case, "chung-cu.jpg", jpeg(), from_citizen=False)
    db.session.commit()
    [attachment] = case.attachments
    login(client, "lanhdao1")
    for path in ("/officer/", "/officer/queue", "/officer/late", "/officer/extensions",
                 "/officer/queue?q=bồi+dưỡng", "/officer/queue?kind=denunciation"):
        html = client.get(path).get_data(as_text=True)
        assert f"/officer/cases/{case.id}" not in html and "Đòi tiền bồi dưỡng" not in html, path
    assert client.get(f"/officer/cases/{case.id}").status_code == 404
    assert client.get(f"/officer/cases/{case.id}/files/{attachment.id}").status_code == 404
    token = csrf_token(client.get("/officer/").get_data(as_text=True))
    for action in ("act", "notes", "replies", "extension", "reassign"):
        reply = client.post(f"/officer/cases/{case.id}/{action}", data={"csrf_token": token,
                                                                         "action": "accept"})
        assert reply.status_code in (403, 404), action


def test_accused_receives_no_mail_about_the_denunciation(demo, db):
    accused = user("canbo1")
    accused.email = "canbo1@ninhbinh.gov.vn"
    user("lanhdao").email = "lanhdao@ninhbinh.gov.vn"
    db.session.commit()
    denunciation_about("canbo1")
    recipients = set(db.session.scalars(select(OutboxMail.recipient)))
    assert "lanhdao@ninhbinh.gov.vn" in recipients
    assert "canbo1@ninhbinh.gov.vn" not in recipients


def test_nobody_in_conflict_with_the_accused_is_given_it_even_by_hand(client, demo, db):
    declare_conflict(user("lanhdao"), user("canbo2"), "Vợ chồng", actor=user("admin"))
    db.session.commit()
    case, _ = denunciation_about("lanhdao")  # goes up to the province; canbo2 must never hold it
    subtree = [u.unit_id for u in (user("canbo2"), user("canbo3"))]
    allowed = assignment.assignable_officers(case, subtree)
    assert user("canbo2") not in allowed and user("lanhdao") not in allowed
    import pytest

    from survey.services import ServiceError

    with pytest.raises(ServiceError):
        assignment.reassign(case, user("canbo2"), actor=user("admin"), units=subtree)


def test_a_conflict_declared_later_takes_the_case_away(demo, db):
    case, _ = denunciation_about("canbo1")
    holder = case.assignee
    declare_conflict(user("canbo1"), holder, "Cùng tổ công tác", actor=user("admin"))
    db.session.commit()
    db.session.expire_all()
    assert case.assignee_id not in (holder.id, user("canbo1").id)


def test_handlers_never_see_the_identity_and_staff_mail_never_carries_it(client, demo, db):
    user("lanhdao").email = "lanhdao@ninhbinh.gov.vn"
    db.session.commit()
    case, _ = denunciation_about("canbo1")
    login(client, case.assignee.username)
    html = client.get(f"/officer/cases/{case.id}").get_data(as_text=True)
    assert all(part not in html for part in IDENTITY)
    bodies = " ".join(m.subject + m.body for m in db.session.scalars(select(OutboxMail)))
    assert bodies and all(part not in bodies for part in IDENTITY)
    assert "Đòi tiền" not in bodies  # not even the subject the citizen typed


def test_denouncer_files_are_held_until_the_custodian_clears_them(client, demo, db):
    case, _ = denunciation_about("canbo1", files=[("don.jpg", jpeg())])
    [attachment] = case.attachments
    login(client, case.assignee.username)
    assert client.get(f"/officer/cases/{case.id}/files/{attachment.id}").status_code == 404
    custodian = client.application.test_client()
    login(custodian, "baomat")
    reply = staff_post(custodian, f"/officer/custody/cases/{case.id}",
                       f"/officer/custody/cases/{case.id}/files/{attachment.id}/clear", {})
    assert reply.status_code == 302
    assert client.get(f"/officer/cases/{case.id}/files/{attachment.id}").status_code == 200


def test_only_the_custodian_sees_the_identity_after_giving_a_reason(client, demo, db):
    case, _ = denunciation_about("canbo1")
    login(client, "baomat")
    page = client.get(f"/officer/custody/cases/{case.id}").get_data(as_text=True)
    assert "Lê Thị Cúc" not in page
    refused = client.post(f"/officer/custody/cases/{case.id}/reveal",
                          data={"csrf_token": csrf_token(page), "reason": ""})
    assert refused.status_code == 400 and "Lê Thị Cúc" not in refused.get_data(as_text=True)
    shown = client.post(f"/officer/custody/cases/{case.id}/reveal", data={
        "csrf_token": csrf_token(page), "reason": "Xác minh theo yêu cầu của Chánh thanh tra"})
    assert "Lê Thị Cúc" in shown.get_data(as_text=True)
    assert shown.headers["Cache-Control"] == "no-store"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "identity_viewed")).one()
    assert event.actor_id == user("baomat").id and "Chánh thanh tra" in event.detail["reason"]
    assert "Lê Thị Cúc" not in str(event.detail)


def test_leaders_and_officers_cannot_open_the_custody_pages(client, demo, db):
    case, _ = denunciation_about("canbo1")
    for username in ("lanhdao", "canbo2", "thanhtra", "admin"):
        other = client.application.test_client()
        login(other, username)
        assert other.get(f"/officer/custody/cases/{case.id}").status_code == 403, username


def test_identity_is_stored_encrypted_and_never_logged(demo, db, caplog):
    caplog.set_level(logging.DEBUG)
    case, _ = denunciation_about("canbo1")
    raw = db.session.execute(text("SELECT ciphertext FROM denouncer_identities")).scalar_one()
    assert all(part.encode() not in bytes(raw) for part in IDENTITY)
    assert all(part not in caplog.text for part in IDENTITY)
    details = " ".join(str(e.detail) for e in db.session.scalars(select(AuditEvent)))
    assert all(part not in details for part in IDENTITY)


def test_identity_keys_rotate(app_factory, demo, db):
    from cryptography.fernet import Fernet

    from survey.services import identity

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    app = app_factory(identity_key=old)
    with app.app_context():
        case, _ = denunciation_about("canbo1")
        case_id = case.id
    rotated = app_factory(identity_key=f"{new},{old}")
    with rotated.app_context():
        assert identity.rotate() == 1
        db.session.commit()
    only_new = app_factory(identity_key=new)
    with only_new.app_context():
        assert identity.unseal(case_id).name == "Lê Thị Cúc"


def test_error_pages_show_no_identity(client, demo, db):
    case, _ = denunciation_about("canbo1")
    login(client, "canbo2")
    html = client.get(f"/officer/cases/{case.id}").get_data(as_text=True)
    assert all(part not in html for part in IDENTITY)
    assert re.search(r"<h1>[^<]+</h1>", html)


def test_a_commune_custodian_sees_only_denunciations_of_their_own_subtree(client, demo, db):
    from survey.models import Role, Unit
    from survey.services.users import create_user

    commune = db.session.scalars(select(Unit).where(Unit.code == "NB-HL")).one()
    create_user("baomatxa", role=Role.CUSTODIAN, unit=commune, password="baomatxa-demo-2026")
    province_case, _ = denunciation_about("canbo1")  # at the province centre
    held = store(province_case, "chung-cu.jpg", jpeg(), from_citizen=True)
    held.cleared_for_handlers = False
    commune_hub = db.session.scalars(select(Unit).where(Unit.code == "NB-HL-TT")).one()
    commune_case, _ = new_case(CaseKind.DENUNCIATION, unit=commune_hub, counter=None,
                               accused=user("canbo1x"), subject="Tố cáo ở phường")
    db.session.commit()
    login(client, "baomatxa")
    listing = client.get("/officer/custody/").get_data(as_text=True)
    assert "Tố cáo ở phường" in listing and "Đòi tiền bồi dưỡng" not in listing
    assert client.get(f"/officer/custody/cases/{province_case.id}").status_code == 404
    assert client.get(f"/officer/custody/cases/{province_case.id}/files/{held.id}"
                      ).status_code == 404
    token = csrf_token(listing)
    assert client.post(f"/officer/custody/cases/{province_case.id}/reveal",
                       data={"csrf_token": token, "reason": "Cần xác minh nhân thân"}
                       ).status_code == 404
    assert client.get(f"/officer/custody/cases/{commune_case.id}").status_code == 200
    login(client, "baomat")  # the province's custodian keeps both
    listing = client.get("/officer/custody/").get_data(as_text=True)
    assert "Tố cáo ở phường" in listing and "Đòi tiền bồi dưỡng" in listing
