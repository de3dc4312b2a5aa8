"""On a 360 px phone: following a case and adding to it, the full survey with an error, and the
filing form chosen from the home page (no counter, so no office chosen in advance)."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from survey.extensions import db
from tests.browser.conftest import CounterInfo, LiveServer
from tests.browser.helpers import (
    accessibility_violations,
    send,
    sideways_scrolling,
    small_touch_targets,
    translated,
)

pytestmark = pytest.mark.browser


def check_page(page: Page) -> None:
    problems = accessibility_violations(page) + sideways_scrolling(page)
    assert not problems, f"{page.url}:\n" + "\n".join(problems)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def file_a_case(live: LiveServer) -> str:
    from tests.cases_helpers import new_case

    with live.app_context():
        _, code = new_case(subject="Quầy 01 đóng cửa sớm",
                           description="Quầy đóng cửa lúc 10 giờ sáng thứ Hai.")
        db.session.remove()
    return code


def in_viewport_top(page: Page, selector: str) -> float:
    """How far below the top of the window the element starts, in CSS pixels."""
    return page.locator(selector).evaluate("e => e.getBoundingClientRect().top")


def test_a_citizen_follows_a_case_and_sends_an_addition_with_a_file(live_server, phone):
    code = file_a_case(live_server)
    page = phone
    page.goto(f"{live_server.url}/track")
    page.locator("#code").fill(code)
    with page.expect_navigation():
        page.locator("form[method=post] button[type=submit]").click()
    expect(page.locator("dl.facts")).to_contain_text("Quầy đóng cửa lúc 10 giờ sáng thứ Hai.")
    check_page(page)

    page.locator("#body").fill("Tôi gửi thêm ảnh chụp biển giờ làm việc.")
    page.locator("#files").set_input_files(
        {"name": "bien-gio.png", "mimeType": "image/png", "buffer": png_bytes()})
    with page.expect_navigation():
        page.locator("#add button[type=submit]").click()

    confirmation = page.locator("#add .flash")
    expect(confirmation).to_have_text("Đã gửi bổ sung.")
    expect(confirmation).to_be_in_viewport()  # the page opens on it (#add), no script needed
    thread = page.locator(".msg")
    expect(thread.filter(has_text="Ông/Bà đã gửi tệp: bien-gio.png")).to_have_count(1)
    expect(thread.filter(has_text="Tôi gửi thêm ảnh chụp")).to_have_count(1)
    expect(page.locator("#body")).to_have_value("")
    check_page(page)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_full_survey_opens_on_its_error_summary(live_server, counter: CounterInfo, phone,
                                                    lang):
    page = phone
    page.goto(f"{live_server.url}/s/{counter.survey_code}/full?lang={lang}")
    first = page.locator("fieldset").first
    expect(first).to_have_attribute("id", "fs-q_overall")
    page.locator("fieldset#fs-q_A1 .opts.scale label").nth(3).click()
    page.locator("fieldset#fs-q_A2 .opts.apart label").click()
    send(page)

    summary = page.locator("#errors")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert 0 <= in_viewport_top(page, "#errors") < 80  # at the top of the window
    expect(summary.get_by_role("heading")).to_have_text(
        "Có 1 lỗi cần sửa" if lang == "vi" else "There is 1 problem to fix")
    expect(page.locator("fieldset#fs-q_A1 input[value='4']")).to_be_checked()
    expect(page.locator("fieldset#fs-q_A2 input[value='na']")).to_be_checked()
    check_page(page)
    assert not small_touch_targets(page)

    summary.get_by_role("link").click()
    expect(page.locator("fieldset#fs-q_overall")).to_be_in_viewport()
    assert page.url.endswith("#fs-q_overall")


def test_the_quick_form_keeps_its_faces_and_also_sums_up_an_error(live_server, counter, phone):
    page = phone
    page.goto(f"{live_server.url}/s/{counter.survey_code}")
    expect(page.locator("fieldset#fs-q_overall svg.face")).to_have_count(5)
    send(page)
    expect(page.locator("#errors")).to_be_focused()
    expect(page.locator("fieldset#fs-q_overall svg.face")).to_have_count(5)
    check_page(page)


def test_filing_from_the_home_page_starts_with_no_office_and_works_without_a_script(
        live_server, phone):
    page = phone  # axe needs script to run; the pages themselves have none (checked below)
    page.goto(f"{live_server.url}/")
    check_page(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Gửi phản ánh, kiến nghị, khiếu nại, tố cáo").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Phản ánh, kiến nghị").click()
    office = page.locator("#unit_id")
    expect(office.locator("option:checked")).to_have_text("— Chọn cơ quan —")
    expect(page.locator("script")).to_have_count(0)
    expect(page.locator("form button[hidden]")).to_be_hidden()  # the default button: Enter only
    check_page(page)

    page.locator("#subject").fill("Nhà vệ sinh hỏng")
    page.locator("#description").fill("Nhà vệ sinh tầng 1 hỏng đã một tuần.")
    page.locator("#anonymous").check()
    page.locator("#subject").press("Enter")  # the default button sends; it does not refresh
    page.wait_for_load_state()
    error = page.locator("#err-unit_id")
    expect(error).to_have_text(translated(live_server.app, "vi",
                                          "Please choose the office your case is about."))
    expect(page.locator("#subject")).to_have_value("Nhà vệ sinh hỏng")
    check_page(page)

    office.select_option(label="Trung tâm Phục vụ hành chính công xã Gia Viễn")
    with page.expect_navigation():
        page.get_by_role("button", name="Hiện các thủ tục của cơ quan này").click()
    expect(page.locator("#procedure option", has_text="Đăng ký khai sinh")).to_have_count(1)
    expect(page.locator("#unit_id")).to_be_in_viewport()
    expect(page.locator(".err")).to_have_count(0)
    page.locator("#procedure").select_option(label="Đăng ký khai sinh")
    with page.expect_navigation():
        page.locator("form[method=post] button.submit").click()
    expect(page.locator(".receipt")).to_be_visible()
