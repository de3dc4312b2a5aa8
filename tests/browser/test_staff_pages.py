"""Staff pages in Chromium: files preview sandboxed, the new-code confirmation, the staff 404, and
the header with the logout button last, at phone and desktop widths."""

import io
import os
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image
from playwright.sync_api import expect

from survey.extensions import db
from tests.browser.conftest import DESKTOP
from tests.browser.helpers import accessibility_violations, log_in

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SURVEY_SHOTS", "test-artifacts/staff"))
PHONE_WIDE = {"viewport": {"width": 360, "height": 740}}


def check(page) -> None:
    problems = accessibility_violations(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    if width > viewport:
        problems.append(f"the page is {width}px wide at {viewport}px")
    assert not problems, "\n".join(problems)


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=path)
    return path


def a_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("DejaVu", fname=str(Path("static/fonts/DejaVuSans.ttf").resolve()))
    pdf.set_font("DejaVu", size=28)
    pdf.cell(text="Biên bản làm việc")
    return bytes(pdf.output())


def a_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), (200, 40, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def case_with_files(live_server):
    """A feedback case with a PDF and a PNG, and its handler's username."""
    from tests.cases_helpers import new_case

    with live_server.app_context():
        case, _ = new_case(files=[("Biên bản làm việc.pdf", a_pdf()),
                                  ("Ảnh hiện trường.png", a_png())])
        info = (case.id, case.assignee.username, [a.id for a in case.attachments])
        db.session.commit()
    return info


def light_share(path: Path) -> float:
    """The share of nearly white pixels: a rendered PDF page is white, an empty viewer grey."""
    with Image.open(path) as image:
        histogram = image.convert("L").histogram()
    return sum(histogram[241:]) / sum(histogram)


def test_pdf_and_png_preview_in_the_browser_under_the_sandbox(live_server, new_context,
                                                               case_with_files):
    case_id, handler, _files = case_with_files
    desk = log_in(new_context(**DESKTOP), live_server.url, handler, f"{handler}-demo-2026")
    desk.goto(f"{live_server.url}/officer/cases/{case_id}")
    check(desk)
    links = desk.get_by_role("link", name="Xem trước")
    expect(links).to_have_count(2)
    with desk.context.expect_page() as opened:
        desk.get_by_role("link", name="Xem trước Biên bản làm việc.pdf").click()
    pdf = opened.value
    pdf.wait_for_load_state()
    pdf.wait_for_timeout(1500)  # the PDF viewer draws the page after load
    assert pdf.evaluate("document.contentType") == "application/pdf"
    assert light_share(shot(pdf, "preview-pdf-1280")) > 0.1
    with desk.context.expect_page() as opened:
        desk.get_by_role("link", name="Xem trước Ảnh hiện trường.png").click()
    image = opened.value
    image.wait_for_load_state()
    assert image.evaluate("document.images[0].naturalWidth") == 320
    assert image.evaluate("window.origin") == "null"  # sandboxed: an opaque origin, no cookies
    shot(image, "preview-png-1280")


def test_make_a_new_code_page_explains_first(live_server, new_context, counter):
    for width, options in (("1280", DESKTOP), ("360", PHONE_WIDE)):
        page = log_in(new_context(**options), live_server.url, "admin", "admin-demo-2026")
        page.goto(f"{live_server.url}/admin/counters/{counter.id}")
        page.get_by_role("link", name="Tạo mã mới").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(counter.name)
        check(page)
        shot(page, f"new-code-{width}")
    with page.expect_navigation():
        page.get_by_role("button", name="Đồng ý, tạo mã mới").click()
    expect(page.locator(".flash")).to_contain_text("in áp phích mới")
    citizen = new_context().new_page()
    citizen.goto(f"{live_server.url}/s/{counter.survey_code}")
    expect(citizen.get_by_role("heading", level=1)).to_contain_text("không còn được sử dụng")


@pytest.mark.parametrize(("width", "options"), [("1280", DESKTOP), ("360", PHONE_WIDE)])
def test_staff_404_is_a_staff_page_and_logout_ends_the_header(live_server, new_context, width,
                                                              options):
    page = log_in(new_context(**options), live_server.url, "lanhdao", "lanhdao-demo-2026")
    reply = page.goto(f"{live_server.url}/officer/cases/987654")
    assert reply.status == 404
    expect(page.get_by_role("navigation", name="Menu chính")).to_be_visible()
    check(page)
    shot(page, f"staff-404-{width}")
    boxes = page.evaluate("""() => [...document.querySelector('header.top').children]
        .filter(e => e.offsetParent !== null && !e.classList.contains('skip'))
        .map(e => { const r = e.getBoundingClientRect();
                    return {tag: e.tagName, cls: e.className, right: r.right, bottom: r.bottom}; })""")
    last = boxes[-1]
    assert last["tag"] == "FORM" and last["cls"] == "logout"
    assert last["bottom"] >= max(b["bottom"] for b in boxes) - 1  # on the last line
    header_right = page.evaluate("document.querySelector('header.top').getBoundingClientRect()"
                                 ".right")
    assert header_right - last["right"] < 40  # at the right edge, not in the middle of the menu
