"""The citizen's receipt: the answer to the filing POST, never in a cookie or URL, never twice."""

import re
from http.cookies import SimpleCookie

import pypdfium2 as pdfium
import pytest
from sqlalchemy import func, select

from survey.models import AuditEvent, Case, OutboxMail
from survey.rules import receipts
from tests.cases_helpers import new_case
from tests.conftest import csrf_token
from tests.test_cases_public import code_on, file_case, receipt_code, track

COMPLAINT = {"decision_complained": "Quyết định 12/QĐ-UBND", "complaint_round": "1",
             "name": "Nguyễn Văn An", "address": "12 Trần Hưng Đạo", "phone": "0912345678",
             "consent": "y"}


def what_cookies_carry(app, reply) -> list[str]:
    """Each Set-Cookie value, and the session cookie's content decoded (it is only signed)."""
    carried = []
    for header in reply.headers.getlist("Set-Cookie"):
        for name, morsel in SimpleCookie(header).items():
            carried.append(morsel.value)
            if name == app.config["SESSION_COOKIE_NAME"] and morsel.value:
                serializer = app.session_interface.get_signing_serializer(app)
                carried.append(str(serializer.loads(morsel.value)))
    return carried


def test_the_receipt_code_is_in_no_cookie_and_no_location_header_of_the_filing_flow(
        app, client, demo):
    form = client.get("/cases/new/complaint?counter=NB-Q01")
    reply = file_case(client, "complaint", COMPLAINT)
    code = receipt_code(client, reply)
    bare = code.replace("-", "")
    for response in (form, reply):
        assert "Location" not in response.headers
        assert not any(code in c or bare in c for c in what_cookies_carry(app, response))
    later = client.get("/cases/receipt")
    assert code_on(later.get_data(as_text=True)) is None
    assert not any(code in c for c in what_cookies_carry(app, later))


def test_every_page_that_shows_the_code_is_never_cached(client, demo):
    reply = file_case(client, "feedback", {"anonymous": "y"})
    code = receipt_code(client, reply)  # asserts no-store on the receipt
    assert track(client, code).headers["Cache-Control"] == "no-store"


def test_a_resent_filing_form_files_one_case_and_shows_no_code(client, demo, db):
    page = client.get("/cases/new/feedback?counter=NB-Q01").get_data(as_text=True)
    key = re.search(r'name="filing_key" type="hidden" value="([^"]+)"', page).group(1)
    data = {"csrf_token": csrf_token(page), "filing_key": key, "counter": "NB-Q01",
            "unit_id": re.search(r'<option selected value="(\d+)"', page).group(1),
            "subject": "Chờ quá lâu", "description": "Chờ 3 tiếng.", "anonymous": "y"}
    first = client.post("/cases/new/feedback", data=data)
    assert code_on(first.get_data(as_text=True))
    again = client.post("/cases/new/feedback", data=data)  # a reload, or a double tap
    html = again.get_data(as_text=True)
    assert again.status_code == 200 and code_on(html) is None
    assert again.headers["Cache-Control"] == "no-store" and "đã được gửi" in html
    assert db.session.scalar(select(func.count(Case.id))) == 1
    assert db.session.scalar(select(Case.filing_key_hash)) == receipts.digest(key)


def test_a_form_with_errors_keeps_its_unused_key(client, demo, db):
    page = client.get("/cases/new/feedback").get_data(as_text=True)
    key = re.search(r'name="filing_key" type="hidden" value="([^"]+)"', page).group(1)
    reply = client.post("/cases/new/feedback", data={"csrf_token": csrf_token(page),
                                                     "filing_key": key, "subject": ""})
    assert reply.status_code == 400 and f'value="{key}"' in reply.get_data(as_text=True)


def test_the_code_is_mailed_to_a_complainant_who_gave_an_address_and_to_nobody_else(
        client, demo, db):
    receipt_code(client, file_case(client, "feedback", {"anonymous": "y"}))
    receipt_code(client, file_case(client, "complaint", COMPLAINT))  # phone only
    assert db.session.scalar(select(func.count(OutboxMail.id)).where(
        OutboxMail.subject == "Mã tiếp nhận của Ông/Bà")) == 0
    reply = file_case(client, "complaint", {**COMPLAINT, "email": "an@example.vn"})
    code = receipt_code(client, reply)
    assert "đã gửi mã tới địa chỉ email" in reply.get_data(as_text=True)
    [mail] = db.session.scalars(select(OutboxMail).where(OutboxMail.recipient == "an@example.vn"))
    assert code in mail.body and "http://survey.test/track" in mail.body
    assert "Nguyễn" not in mail.body and "Chờ quá lâu" not in mail.body


def test_a_denouncers_code_is_mailed_through_the_sealed_identity_and_audited(client, demo, db):
    reply = file_case(client, "denunciation", {
        "accused_description": "Cán bộ quầy 01 đòi tiền", "name": "Lê Thị Cúc",
        "address": "5 Lê Lợi", "email": "cuc@example.vn", "consent": "y"})
    code = receipt_code(client, reply)
    [mail] = db.session.scalars(select(OutboxMail).where(OutboxMail.recipient == "cuc@example.vn"))
    assert code in mail.body and "Cúc" not in mail.body
    case = db.session.scalars(select(Case)).one()
    assert "denouncer_notified" in db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.case_id == case.id)).all()


def test_the_mail_is_in_the_citizens_language(client, demo, db):
    client.get("/cases/new/complaint?lang=en")
    receipt_code(client, file_case(client, "complaint", {**COMPLAINT, "email": "an@example.vn"}))
    mail = db.session.scalars(select(OutboxMail).where(OutboxMail.recipient == "an@example.vn")).one()
    assert mail.subject == "Your receipt code"


@pytest.mark.parametrize("size", ["A4", "A5"])
def test_the_citizen_downloads_the_receipt_pdf_by_posting_the_code(client, demo, size):
    reply = file_case(client, "complaint", COMPLAINT)
    code = receipt_code(client, reply)
    page = reply.get_data(as_text=True)
    assert 'action="/cases/receipt.pdf"' in page and 'name="size" value="A5"' in page
    pdf_reply = client.post("/cases/receipt.pdf", data={"csrf_token": csrf_token(page),
                                                         "code": code.lower(), "size": size})
    assert pdf_reply.status_code == 200 and pdf_reply.mimetype == "application/pdf"
    assert pdf_reply.headers["Cache-Control"] == "no-store"
    assert code not in pdf_reply.headers.get("Content-Disposition", "")
    text = pdfium.PdfDocument(pdf_reply.data)[0].get_textpage().get_text_range()
    assert code in text and "Khiếu nại" in text and "Chờ quá lâu" in text


def test_the_receipt_pdf_of_an_unknown_code_is_404_and_guessing_is_rate_limited(client, demo):
    page = client.get("/track").get_data(as_text=True)
    replies = [client.post("/cases/receipt.pdf", data={"csrf_token": csrf_token(page),
                                                       "code": receipts.new_code()})
               for _ in range(11)]
    assert [r.status_code for r in replies] == [404] * 10 + [429]


def test_a_code_issued_before_the_new_alphabet_still_opens_the_case(client, demo, db):
    case, _ = new_case()
    case.receipt_hash = receipts.digest("0S50-111V-ABCD-EF01-2345")  # the old alphabet
    db.session.commit()
    html = track(client, "0s5o-1ilu abcd ef01 2345").get_data(as_text=True)
    assert "Chờ quá lâu" in html
