"""A paper complaint recorded at the desk, a case filed on a phone: the receipts, axe-clean."""

import pypdfium2 as pdfium
import pytest
from playwright.sync_api import expect

from survey.rules import receipts
from tests.browser.helpers import accessibility_violations, log_in, sideways_scrolling

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "is_mobile": False, "has_touch": False,
           "device_scale_factor": 1}


def check_page(page, narrow: bool = True) -> None:
    problems = accessibility_violations(page) + (sideways_scrolling(page) if narrow else [])
    assert not problems, "\n".join(problems)


def groups_stay_whole(page) -> list[str]:
    """Each group of the code sits on one line, inside the screen; the code wraps between them."""
    boxes = page.locator(".receipt .g").evaluate_all(
        "els => els.map(e => [e.textContent, e.getClientRects().length,"
        " e.getBoundingClientRect().right, e.getBoundingClientRect().height])")
    width = page.evaluate("document.documentElement.clientWidth")
    line = page.locator(".receipt .g").first.evaluate(
        "e => parseFloat(getComputedStyle(e).lineHeight)")
    return [f"group {text!r} breaks or overflows" for text, rects, right, height in boxes
            if rects != 1 or right > width or height > line * 1.5]


def test_an_officer_records_a_paper_complaint_and_prints_its_receipt(live_server, new_context):
    desk = log_in(new_context(**DESKTOP), live_server.url, "canbo2", "canbo2-demo-2026")
    desk.goto(f"{live_server.url}/officer/")
    desk.get_by_role("link", name="Ghi nhận đơn").click()
    check_page(desk, narrow=False)
    desk.get_by_label("Theo đường bưu chính").check()
    desk.get_by_label("Khiếu nại", exact=True).check()
    desk.locator("#subject").fill("Hồ sơ đất đai bị trả lại không rõ lý do")
    desk.locator("#description").fill("Đơn gửi qua bưu điện: hồ sơ bị trả lại, không nêu lý do.")
    desk.locator("#decision_complained").fill("Thông báo số 45/TB-TTHCC ngày 02/11/2026")
    desk.locator("#name").fill("Nguyễn Văn An")
    desk.locator("#address").fill("12 Trần Hưng Đạo, phường Hoa Lư")
    desk.locator("#phone").fill("0912000111")
    desk.locator("#consent").check()
    with desk.expect_navigation():
        desk.locator("form.intake button.submit").click()
    check_page(desk, narrow=False)
    code = desk.locator(".receipt").inner_text().strip()
    assert receipts.normalise(code) == code
    expect(desk.locator("main")).to_contain_text("Theo đường bưu chính")
    with desk.expect_download() as download:
        desk.get_by_role("button", name="Giấy biên nhận, PDF khổ A5").click()
    pdf = pdfium.PdfDocument(download.value.path().read_bytes())
    assert code in pdf[0].get_textpage().get_text_range()

    # the citizen withdraws one point on a phone; the leader sees it on the case page
    phone = new_context().new_page()
    phone.goto(f"{live_server.url}/track")
    phone.locator("#code").fill(code)
    with phone.expect_navigation():
        phone.locator("form[method=post] button[type=submit]").click()
    check_page(phone)
    phone.get_by_label("Chỉ một số nội dung").check()
    phone.locator("#points").fill("Yêu cầu bồi thường chi phí đi lại")
    phone.locator("#reason").fill("Đã được trung tâm hoàn trả")
    phone.locator("#confirm").check()
    with phone.expect_navigation():
        phone.get_by_role("button", name="Rút đơn").click()
    check_page(phone)
    expect(phone.locator(".withdrawn")).to_contain_text("Yêu cầu bồi thường chi phí đi lại")
    leader = log_in(new_context(**DESKTOP), live_server.url, "lanhdao", "lanhdao-demo-2026")
    leader.goto(f"{live_server.url}/officer/queue")
    leader.get_by_role("link", name="Hồ sơ đất đai bị trả lại không rõ lý do").first.click()
    check_page(leader, narrow=False)
    expect(leader.locator(".withdrawn")).to_contain_text("Yêu cầu bồi thường chi phí đi lại")


def test_a_citizen_files_on_a_phone_and_keeps_the_receipt(live_server, new_context):
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    page.goto(f"{live_server.url}/cases/new/feedback?counter=NB-Q01")
    page.locator("#subject").fill("Không có chỗ ngồi chờ")
    page.locator("#description").fill("Khu chờ quầy 01 hết ghế vào sáng thứ Hai.")
    page.locator("#anonymous").check()
    with page.expect_navigation():
        page.locator("form[method=post] button.submit").click()
    check_page(page)
    assert not groups_stay_whole(page), groups_stay_whole(page)
    code = page.locator(".receipt").inner_text().strip()
    assert receipts.normalise(code) == code
    page.set_viewport_size({"width": 360, "height": 740})
    check_page(page)
    page.emulate_media(media="print")  # the printed page: the code and facts, no menu or buttons
    expect(page.locator("header.top")).to_be_hidden()
    expect(page.locator("main form")).to_be_hidden()
    expect(page.locator(".receipt")).to_be_visible()
    page.emulate_media(media="screen")

    page.goto(f"{live_server.url}/track")
    page.locator("#code").fill(code.lower().replace("-", " "))
    with page.expect_navigation():
        page.locator("form[method=post] button[type=submit]").click()
    check_page(page)
    expect(page.locator("main")).to_contain_text("Không có chỗ ngồi chờ")
