"""Cases received on paper: an officer records them, they follow the online path, a receipt prints."""

import io
import re
from datetime import timedelta

import pypdfium2 as pdfium
import pytest
from sqlalchemy import func, select

from survey.models import (
    AuditEvent,
    Case,
    CaseChannel,
    CaseContact,
    CaseKind,
    DenouncerIdentity,
    OutboxMail,
)
from survey.models.base import utcnow
from survey.rules import deadlines, receipts
from survey.services import milestones
from tests.cases_helpers import new_case, user
from tests.conftest import csrf_token, login
from tests.test_cases_public import code_on, png_bytes

KEY = re.compile(r'name="filing_key" type="hidden" value="([^"]*)"')
PERSON = {"name": "Nguyễn Văn An", "address": "12 Trần Hưng Đạo, phường Hoa Lư",
          "phone": "0912345678", "consent": "y"}
BY_KIND = {
    "feedback": {"anonymous": "y"},
    "complaint": {**PERSON, "decision_complained": "Thông báo trả hồ sơ số 45/TB-TTHCC"},
    "denunciation": {"name": "Lê Thị Cúc", "address": "5 Lê Lợi", "consent": "y",
                     "accused_description": "Công chức quầy 01 gợi ý nộp thêm tiền"},
}


def today():
    return milestones.local_day(utcnow())


def record_form(client) -> dict:
    html = client.get("/officer/record").get_data(as_text=True)
    return {"csrf_token": csrf_token(html), "filing_key": KEY.search(html).group(1),
            "unit_id": re.search(r'<option selected value="(\d+)"', html).group(1)}


def record(client, kind: str = "complaint", channel: str = "post", form: dict | None = None,
           files=(), **fields):
    data = {**(form or record_form(client)), "kind": kind, "channel": channel,
            "received_on": today().isoformat(), "subject": "Hồ sơ bị trả lại không rõ lý do",
            "description": "Hồ sơ đăng ký đất đai bị trả lại, không nêu lý do.",
            **BY_KIND[kind], **fields}
    if files:
        data["files"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post("/officer/record", data=data, content_type="multipart/form-data")


def recorded_case(db) -> Case:
    return db.session.scalars(select(Case).where(Case.channel != CaseChannel.ONLINE)).one()


def online_twin(case: Case) -> Case:
    """The same facts filed online, through the same service."""
    fields = dict(unit=case.unit, anonymous=case.anonymous)
    if case.kind is CaseKind.COMPLAINT:
        fields.update(name="An", address="12 THĐ", phone="0912345678",
                      decision_complained=case.decision_complained)
    if case.kind is CaseKind.DENUNCIATION:
        fields.update(name="Cúc", address="5 Lê Lợi", anonymous=False,
                      accused_description=case.accused_description)
    return new_case(case.kind, subject=case.subject, description=case.description, counter=None,
                    **fields)[0]


@pytest.mark.parametrize("channel", ["in_person", "post", "phone", "forwarded"])
@pytest.mark.parametrize("kind", ["feedback", "complaint", "denunciation"])
def test_a_case_recorded_on_paper_is_routed_and_timed_like_one_filed_online(
        client, demo, db, kind, channel):
    login(client, "canbo1")
    extra = {"forwarded_from": "Thanh tra tỉnh Ninh Bình",
             "forwarded_from_ref": "123/TTr-NV"} if channel == "forwarded" else {}
    reply = record(client, kind, channel, **extra)
    assert reply.status_code == 200, reply.get_data(as_text=True)[:3000]
    paper = recorded_case(db)
    online = online_twin(paper)
    assert paper.channel is CaseChannel(channel) and online.channel is CaseChannel.ONLINE
    assert paper.state is online.state and paper.handling_unit_id == online.handling_unit_id
    assert paper.assignee is not None and paper.assignee.unit_id == online.assignee.unit_id
    assert [(m.name, m.due, m.basis) for m in paper.milestones] == \
        [(m.name, m.due, m.basis) for m in online.milestones]
    filed = db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == paper.id,
                                                        AuditEvent.action == "filed")).one()
    assert filed.actor_id == user("canbo1").id and filed.detail["channel"] == channel
    if channel == "forwarded":
        assert (paper.forwarded_from, paper.forwarded_from_ref) == \
            ("Thanh tra tỉnh Ninh Bình", "123/TTr-NV")


def test_deadlines_count_from_the_day_the_paper_arrived(client, demo, db):
    login(client, "canbo1")
    arrived = today() - timedelta(days=9)
    assert record(client, "complaint", received_on=arrived.isoformat()).status_code == 200
    case = recorded_case(db)
    assert milestones.local_day(case.received_at) == arrived
    expected = deadlines.compute_milestones(
        milestones.rulebook(), milestones.calendar(arrived), "complaint", received=arrived,
        include=("forward",))
    assert {m.name: m.due for m in case.milestones} == {m.name: m.due for m in expected}
    page = client.get(f"/officer/cases/{case.id}").get_data(as_text=True)
    assert arrived.strftime("%d/%m/%Y") in page and "Theo đường bưu chính" in page


@pytest.mark.parametrize(("fields", "field_in_error"), [
    ({"received_on": "2999-01-01"}, "received_on"),
    ({"received_on": "2020-01-01"}, "received_on"),
    ({"received_on": "hôm qua"}, "received_on"),
    ({"channel": "forwarded"}, "forwarded_from"),
    ({"consent": ""}, "consent"),
    ({"decision_complained": ""}, "decision_complained"),
])
def test_bad_intake_is_refused_beside_the_field_and_keeps_what_was_typed(
        client, demo, db, fields, field_in_error):
    login(client, "canbo1")
    reply = record(client, "complaint", **fields)
    html = reply.get_data(as_text=True)
    assert reply.status_code == 400 and f'id="err-{field_in_error}"' in html
    assert "Hồ sơ bị trả lại không rõ lý do" in html
    assert db.session.scalar(select(func.count(Case.id))) == 0


def test_nul_bytes_and_huge_text_are_handled_without_an_error(client, demo, db):
    login(client, "canbo1")
    reply = record(client, "feedback", subject="Chờ\x00 lâu", description="x" * 6000)
    assert reply.status_code == 400 and 'id="err-description"' in reply.get_data(as_text=True)
    # a NUL is refused with a message (PostgreSQL cannot store it); the rest is kept
    refused = record(client, "feedback", subject="Chờ\x00 lâu")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "không được phép" in html and 'value="Chờ lâu"' in html


def test_a_denouncers_identity_recorded_on_paper_is_sealed_and_the_scan_held_back(
        client, demo, db):
    login(client, "canbo1")
    reply = record(client, "denunciation", "in_person", email="cuc@example.vn",
                   accused_id=str(user("canbo2").id), files=[("don-to-cao.png", png_bytes())])
    assert reply.status_code == 200
    case = recorded_case(db)
    sealed = db.session.get(DenouncerIdentity, case.id)
    assert sealed is not None and "Lê Thị Cúc".encode() not in sealed.ciphertext
    assert db.session.scalar(select(func.count()).select_from(CaseContact)) == 0
    assert case.accused_user_id == user("canbo2").id and case.assignee_id != user("canbo2").id
    [scan] = case.attachments
    assert scan.cleared_for_handlers is False  # handwriting and signature: the custodian first
    events = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.case_id == case.id))
    assert not any("Cúc" in str(detail) for detail in events)


def test_a_lying_scan_is_refused(client, demo, db):
    login(client, "canbo1")
    reply = record(client, "feedback", files=[("scan.pdf", b"MZ\x90\x00 not a pdf")])
    assert reply.status_code == 400 and "JPEG, PNG" in reply.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Case.id))) == 0


def test_the_officer_sees_the_receipt_once_and_a_resent_form_records_nothing_twice(
        client, demo, db):
    login(client, "canbo1")
    form = record_form(client)
    first = record(client, form=form)
    code = code_on(first.get_data(as_text=True))
    assert first.headers["Cache-Control"] == "no-store" and receipts.normalise(code) == code
    assert "http://survey.test/track" in first.get_data(as_text=True)
    assert not any(code in h for h in first.headers.getlist("Set-Cookie"))
    again = record(client, form=form)
    assert again.status_code == 200 and code_on(again.get_data(as_text=True)) is None
    assert "đã được ghi nhận" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Case.id))) == 1


@pytest.mark.parametrize("size", ["A4", "A5"])
def test_the_officer_prints_the_receipt_as_a_pdf(client, demo, db, size):
    login(client, "canbo1")
    page = record(client).get_data(as_text=True)
    code = code_on(page)
    reply = client.post("/officer/receipt.pdf", data={"csrf_token": csrf_token(page),
                                                       "code": code, "size": size})
    assert reply.status_code == 200 and reply.mimetype == "application/pdf"
    assert reply.headers["Cache-Control"] == "no-store"
    pdf = pdfium.PdfDocument(reply.data)
    text = pdf[0].get_textpage().get_text_range()
    assert code in text and "Khiếu nại" in text and "http://survey.test/track" in text
    assert round(pdf[0].get_width() / 72 * 25.4) == {"A4": 210, "A5": 148}[size]
    unknown = client.post("/officer/receipt.pdf", data={"csrf_token": csrf_token(page),
                                                        "code": receipts.new_code()})
    assert unknown.status_code == 404


def test_the_code_is_mailed_only_when_the_citizen_gave_an_address(client, demo, db):
    login(client, "canbo1")
    record(client, "complaint", "post")  # a phone, no e-mail
    assert db.session.scalar(select(func.count(OutboxMail.id)).where(
        OutboxMail.recipient == "an@example.vn")) == 0
    page = record(client, "complaint", "in_person", email="an@example.vn")
    code = code_on(page.get_data(as_text=True))
    [mail] = db.session.scalars(select(OutboxMail).where(OutboxMail.recipient == "an@example.vn"))
    assert code in mail.body and "http://survey.test/track" in mail.body
    assert "Nguyễn Văn An" not in mail.body and "Hồ sơ bị trả lại" not in mail.body


def test_an_officer_records_only_for_their_own_unit_and_those_below(client, demo, db):
    login(client, "canbo1")
    form = record_form(client)
    other_unit = user("canbo1x").unit_id
    reply = record(client, form={**form, "unit_id": str(other_unit)})
    assert reply.status_code == 400 and 'id="err-unit_id"' in reply.get_data(as_text=True)
