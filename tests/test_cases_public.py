"""Citizens file and follow cases: no account, no JavaScript, the law's fields per kind."""

import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from survey.models import Case, CaseContact, CaseKind, CaseState, DenouncerIdentity, User
from survey.rules import receipts
from tests.conftest import csrf_token, first_counter


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def file_case(client, kind: str, fields: dict, counter: str = "NB-Q01", files=()):
    page = client.get(f"/cases/new/{kind}?counter={counter}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    unit_id = re.search(r'<select id="unit_id"[^>]*>.*?<option selected value="(\d+)"', html, re.S)
    data = {"csrf_token": csrf_token(html), "counter": counter,
            "unit_id": unit_id.group(1) if unit_id else "", "subject": "Chờ quá lâu",
            "description": "Tôi chờ 3 tiếng tại quầy mà không được tiếp.", **fields}
    if files:
        data["files"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(f"/cases/new/{kind}", data=data, content_type="multipart/form-data")


def code_on(page: str) -> str | None:
    """The receipt code shown on a page (its groups are separate spans), or None."""
    found = re.search(r'<p class="receipt"[^>]*>(.*?)</p>', page, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)) if found else None


def receipt_code(client, reply) -> str:
    """The receipt is the answer to the filing POST itself (no redirect, nothing cached)."""
    assert reply.status_code == 200, reply.get_data(as_text=True)[:2000]
    assert reply.headers["Cache-Control"] == "no-store"
    return code_on(reply.get_data(as_text=True))


def test_choosing_a_kind_explains_each_in_one_sentence(client, demo):
    html = client.get("/cases/new?counter=NB-Q01").get_data(as_text=True)
    assert html.count('class="choice"') == 3
    assert "/cases/new/complaint?counter=NB-Q01" in html


def test_anonymous_feedback_is_received_routed_and_given_a_receipt(client, demo, db):
    code = receipt_code(client, file_case(client, "feedback", {"anonymous": "y"}))
    assert re.fullmatch(r"[2-9A-Z]{4}(-[2-9A-Z]{4}){4}", code) and not set(code) & set("015S")
    case = db.session.scalars(select(Case)).one()
    assert case.kind is CaseKind.FEEDBACK and case.state is CaseState.RECEIVED
    assert case.anonymous and case.contact is None
    assert case.receipt_hash == receipts.digest(code) and code not in case.receipt_hash
    assert case.assignee is not None and case.assignee.unit_id == first_counter(db).unit_id
    assert sorted(m.name for m in case.milestones) == ["forward", "resolve"]


def test_receipt_code_is_shown_once_and_the_receipt_page_has_none(client, demo):
    # The receipt used to travel through the session to GET /cases/receipt; now that page
    # (an old bookmark) never has a code: the code is only in the answer to the POST.
    receipt_code(client, file_case(client, "feedback", {"anonymous": "y"}))
    assert 'class="receipt"' not in client.get("/cases/receipt").get_data(as_text=True)


def test_complaint_without_name_address_or_contact_is_refused_with_messages(client, demo, db):
    reply = file_case(client, "complaint", {"decision_complained": "Quyết định số 12/QĐ-UBND",
                                            "consent": "y"})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert len(re.findall(r'class="err" id="err-(name|address|phone)"', html)) == 3
    assert "Quyết định số 12/QĐ-UBND" in html  # what was typed is kept
    assert db.session.scalar(select(func.count(Case.id))) == 0


def test_complaint_keeps_the_contact_with_the_case(client, demo, db):
    receipt_code(client, file_case(client, "complaint", {
        "decision_complained": "Quyết định 12/QĐ-UBND ngày 2/3/2027", "complaint_round": "1",
        "name": "Nguyễn Văn An", "address": "12 Trần Hưng Đạo", "phone": "0912345678",
        "consent": "y"}))
    case = db.session.scalars(select(Case)).one()
    assert case.contact.name == "Nguyễn Văn An" and case.contact.phone == "0912345678"
    assert sorted(m.name for m in case.milestones) == ["accept", "forward", "resolve"]


def test_personal_data_without_consent_is_refused(client, demo, db):
    reply = file_case(client, "feedback", {"name": "Trần Thị Bình", "email": "binh@example.vn"})
    assert reply.status_code == 400
    assert 'id="err-consent"' in reply.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Case.id))) == 0


def test_consent_box_is_never_ticked_in_advance(client, demo):
    for kind in ("feedback", "complaint", "denunciation"):
        html = client.get(f"/cases/new/{kind}").get_data(as_text=True)
        box = re.search(r'<input[^>]*id="consent"[^>]*>', html).group(0)
        assert "checked" not in box


def test_denunciation_identity_is_sealed_apart_from_the_case(client, demo, db):
    accused = db.session.scalars(select(User).where(User.username == "canbo1")).one()
    receipt_code(client, file_case(client, "denunciation", {
        "accused_description": "Cán bộ quầy 01 đòi tiền bồi dưỡng", "accused_id": str(accused.id),
        "name": "Lê Thị Cúc", "address": "5 Lê Lợi", "phone": "0987654321", "consent": "y"}))
    case = db.session.scalars(select(Case)).one()
    sealed = db.session.get(DenouncerIdentity, case.id)
    assert sealed is not None and "Lê Thị Cúc".encode() not in sealed.ciphertext
    assert db.session.scalar(select(func.count()).select_from(CaseContact)) == 0
    assert case.accused_user_id == accused.id
    assert case.assignee_id != accused.id and case.assignee.role.value == "leader"


def test_anonymous_denunciation_is_accepted_and_marked(client, demo, db):
    page = client.get("/cases/new/denunciation?lang=en").get_data(as_text=True)
    assert "it is not handled as a denunciation under the Law on Denunciations" in page
    receipt_code(client, file_case(client, "denunciation", {
        "accused_description": "Một cán bộ nhận tiền", "anonymous": "y"}))
    case = db.session.scalars(select(Case)).one()
    assert case.anonymous and db.session.get(DenouncerIdentity, case.id) is None


def test_attachments_are_checked_by_content_not_name(client, demo, db):
    reply = file_case(client, "feedback", {"anonymous": "y"},
                      files=[("anh.png", b"MZ this is really an exe")])
    assert reply.status_code == 400 and "JPEG, PNG" in reply.get_data(as_text=True)
    reply = file_case(client, "feedback", {"anonymous": "y"}, files=[("anh.png", png_bytes())])
    receipt_code(client, reply)
    [attachment] = db.session.scalars(select(Case)).one().attachments
    assert attachment.content_type == "image/png" and attachment.original_name == "anh.png"
    assert re.fullmatch(r"[0-9a-f]{40}", attachment.stored_name)


def test_more_than_five_files_are_refused(client, demo, db):
    reply = file_case(client, "feedback", {"anonymous": "y"},
                      files=[(f"{i}.png", png_bytes()) for i in range(6)])
    assert reply.status_code == 400 and db.session.scalar(select(func.count(Case.id))) == 0


def track(client, code: str):
    page = client.get("/track").get_data(as_text=True)
    return client.post("/track", data={"csrf_token": csrf_token(page), "code": code})


def test_tracking_shows_status_and_due_dates_with_a_sloppy_typed_code(client, demo, db):
    code = receipt_code(client, file_case(client, "feedback", {"anonymous": "y"}))
    sloppy = code.replace("-", " ").lower()
    html = track(client, sloppy).get_data(as_text=True)
    assert "Chờ quá lâu" in html and "Đã tiếp nhận" in html


def test_wrong_codes_reveal_nothing_and_are_rate_limited(client, demo):
    replies = [track(client, receipts.new_code()) for _ in range(11)]
    assert [r.status_code for r in replies[:10]] == [404] * 10
    assert replies[10].status_code == 429


def test_citizen_adds_a_message_and_a_file_with_the_code(client, demo, db):
    code = receipt_code(client, file_case(client, "feedback", {"anonymous": "y"}))
    page = track(client, code).get_data(as_text=True)
    reply = client.post("/track/message", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(page), "code": code, "body": "Bổ sung: quầy 01, sáng thứ Hai",
        "files": [(io.BytesIO(png_bytes()), "them.png")]})
    assert reply.status_code == 200 and "Bổ sung: quầy 01" in reply.get_data(as_text=True)
    case = db.session.scalars(select(Case)).one()
    assert len(case.attachments) == 1


@pytest.mark.parametrize("kind", ["feedback", "complaint", "denunciation"])
def test_case_pages_are_in_vietnamese_and_english(client, demo, kind):
    vi = client.get(f"/cases/new/{kind}").get_data(as_text=True)
    en = client.get(f"/cases/new/{kind}?lang=en").get_data(as_text=True)
    assert '<html lang="vi">' in vi and '<html lang="en">' in en
    assert "Send" in en
