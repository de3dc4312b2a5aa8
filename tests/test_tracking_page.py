"""What the citizen reads at /track: their own submission, the thread, additions and answers."""

import io
import re

from PIL import Image

from survey.models import CaseKind
from survey.services import cases as case_service
from tests.cases_helpers import new_case, user
from tests.conftest import csrf_token


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def track(client, code: str, lang: str = "vi"):
    page = client.get(f"/track?lang={lang}").get_data(as_text=True)
    return client.post("/track", data={"csrf_token": csrf_token(page), "code": code})


def add(client, code: str, body: str = "", files=(), lang: str = "vi"):
    page = track(client, code, lang).get_data(as_text=True)
    return client.post("/track/message", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(page), "code": code, "body": body,
        "files": [(io.BytesIO(content), name) for name, content in files]})


def section(html: str, start: str, end: str) -> str:
    """The part of the page from one heading to the next, to say where a text appears."""
    return html[html.index(start):html.index(end, html.index(start))]


def resolve(case, answer: str) -> None:
    officer = case.assignee
    steps = [("resolve", answer)] if case.state.value == "in_progress" else \
        [("accept", ""), ("start", ""), ("resolve", answer)]
    for action, text in steps:
        case_service.take_action(case, action, actor=officer, text=text)


def test_tracking_shows_the_complaint_as_sent_with_office_date_and_file_names(client, demo, db):
    case, code = new_case(CaseKind.COMPLAINT, description="Hồ sơ bị trả lại không rõ lý do.",
                          files=[("giay-hen.png", png_bytes()), ("thong-bao.pdf", pdf_bytes())])
    html = track(client, code).get_data(as_text=True)
    sent = section(html, "Nội dung Ông/Bà đã gửi", "Trao đổi")
    assert "Chờ quá lâu" in sent and "Hồ sơ bị trả lại không rõ lý do." in sent
    assert "Quyết định 12/QĐ-UBND" in sent
    assert case.unit.name in sent
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", sent)
    assert "giay-hen.png" in sent and "thong-bao.pdf" in sent
    # the files are named, never offered for download from this page
    assert not re.search(r'href="[^"]*(attach|download|file)', html)


def test_tracking_a_denunciation_never_shows_the_denouncer_or_internal_notes(client, demo, db):
    case, code = new_case(CaseKind.DENUNCIATION, phone="0912345678",
                          files=[("bang-chung.png", png_bytes())])
    case_service.add_note(case, "Ghi chú nội bộ: kiểm tra camera", actor=user("canbo1"))
    db.session.commit()
    html = track(client, code).get_data(as_text=True)
    assert "Cán bộ quầy 01 đòi tiền" in html  # what was denounced
    assert "bang-chung.png" in html  # held from handlers, but its name is the citizen's own
    for secret in ("Lê Thị Cúc", "5 Lê Lợi", "cuc@example.vn", "0912345678",
                   "Ghi chú nội bộ"):
        assert secret not in html


def test_an_addition_is_confirmed_and_its_file_joins_the_thread_in_time_order(client, demo, db):
    case, code = new_case(files=[("luc-nop.png", png_bytes())])
    case_service.reply(case, "Cơ quan đề nghị Ông/Bà gửi thêm giấy hẹn.", actor=user("canbo1"))
    db.session.commit()

    reply = add(client, code, "Giấy hẹn đây ạ", [("giay-hen.pdf", pdf_bytes())])

    assert reply.status_code == 200
    html = reply.get_data(as_text=True)
    assert re.search(r'<p class="flash" role="status">Đã gửi bổ sung.</p>', html)
    thread = section(html, "<h2>Trao đổi</h2>", 'id="add"')
    assert thread.index("Cơ quan đề nghị") < thread.index("Ông/Bà đã gửi tệp: giay-hen.pdf")
    assert "Giấy hẹn đây ạ" in thread
    sent = section(html, "Nội dung Ông/Bà đã gửi", "<h2>Trao đổi</h2>")
    assert "luc-nop.png" in sent and "giay-hen.pdf" not in sent
    assert "luc-nop.png" not in thread


def test_the_confirmation_is_in_english_and_absent_before_any_addition(client, demo, db):
    _, code = new_case()
    assert "Your addition was sent." not in track(client, code, "en").get_data(as_text=True)
    reply = add(client, code, "More details", lang="en")
    assert "Your addition was sent." in reply.get_data(as_text=True)


def test_an_empty_addition_is_refused_without_a_confirmation(client, demo, db):
    _, code = new_case()
    reply = add(client, code, "   ")
    html = reply.get_data(as_text=True)
    assert reply.status_code == 400 and "Đã gửi bổ sung" not in html
    assert 'action="/track/message#add"' in html  # the page opens on the form and its error


def test_after_a_reopening_the_earlier_answer_is_labelled_and_the_history_reads_in_order(
        client, demo, db):
    case, code = new_case(CaseKind.COMPLAINT)
    resolve(case, "Trả lời lần 1: hồ sơ đã đủ.")
    db.session.commit()
    page = track(client, code).get_data(as_text=True)
    client.post("/track/rate", data={"csrf_token": csrf_token(page), "code": code,
                                     "satisfied": "no", "reason": "Hồ sơ của tôi chưa đủ."})

    html = track(client, code).get_data(as_text=True)
    note = section(html, 'class="note"', "</div>")
    assert "Câu trả lời trước đây" in note and "Trả lời lần 1" in note
    assert ">Lý do<" not in html
    thread = section(html, "<h2>Trao đổi</h2>", 'id="add"')
    assert thread.index("Câu trả lời trước đây") < thread.index("Trả lời lần 1") \
        < thread.index("Lý do Ông/Bà chưa hài lòng") < thread.index("Hồ sơ của tôi chưa đủ.")

    db.session.expire_all()
    resolve(case, "Trả lời lần 2: đã bổ sung hồ sơ.")
    db.session.commit()
    html = track(client, code).get_data(as_text=True)
    thread = section(html, "<h2>Trao đổi</h2>", "</main>")
    first, reason, second = (thread.index(t) for t in (
        "Trả lời lần 1", "Hồ sơ của tôi chưa đủ.", "Trả lời lần 2"))
    assert first < reason < second
    assert thread.rindex("Câu trả lời trước đây", 0, first) < first
    assert thread.rindex("Câu trả lời của cơ quan", 0, second) > reason
    assert "Câu trả lời trước đây" not in thread[reason:]


def test_a_refusal_is_headed_as_its_reason(client, demo, db):
    case, code = new_case()
    case_service.take_action(case, "refuse", actor=case.assignee, text="Không thuộc thẩm quyền.")
    db.session.commit()
    note = section(track(client, code).get_data(as_text=True), 'class="note"', "</div>")
    assert "Lý do" in note and "Không thuộc thẩm quyền." in note


def test_the_tracking_page_shows_no_database_id(client, demo, db):
    case, code = new_case()
    html = track(client, code).get_data(as_text=True)
    assert f"#{case.id}<" not in html and f"#{case.id} " not in html


def test_after_an_addition_the_box_is_empty_again(client, demo, db):
    _, code = new_case()
    html = add(client, code, "Nội dung bổ sung lần một").get_data(as_text=True)
    box = re.search(r"<textarea[^>]*id=\"body\"[^>]*>(.*?)</textarea>", html, re.S).group(1)
    assert box.strip() == "" and "Nội dung bổ sung lần một" in html  # in the thread only
