"""A complaint end to end: filed on a phone, accepted and answered at the desk, read by code."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from survey.extensions import db
from survey.rules import receipts
from tests.browser.helpers import accessibility_violations, log_in, sideways_scrolling

pytestmark = pytest.mark.browser

ANSWER = "Trung tâm đã rà soát: hồ sơ của Ông được tiếp nhận lại ngày 20/12."


def check_page(page) -> None:
    problems = accessibility_violations(page) + sideways_scrolling(page)
    assert not problems, "\n".join(problems)


def test_citizen_files_a_complaint_the_officer_answers_and_the_citizen_reads_it(
        live_server, phone, new_context):
    page = phone
    page.goto(f"{live_server.url}/cases/new?counter=NB-Q01")
    check_page(page)
    page.get_by_role("link", name="Khiếu nại").click()
    check_page(page)
    page.locator("#decision_complained").fill("Thông báo trả hồ sơ số 45/TB-TTHCC ngày 02/11")
    page.locator("#subject").fill("Hồ sơ bị trả lại không rõ lý do")
    page.locator("#description").fill("Hồ sơ đăng ký đất đai bị trả lại, không nêu lý do.")
    page.locator("#name").fill("Nguyễn Văn An")
    page.locator("#address").fill("12 Trần Hưng Đạo, phường Hoa Lư")
    page.locator("#phone").fill("0912000111")
    page.locator("#consent").check()
    with page.expect_navigation():
        page.locator("form[method=post] button.submit").click()
    check_page(page)
    code = page.locator(".receipt").inner_text().strip()
    assert receipts.normalise(code) == code

    with live_server.app_context():
        from survey.models import Case

        case = db.session.scalar(select(Case).where(Case.receipt_hash == receipts.digest(code)))
        case_id, handler = case.id, case.assignee.username
    desk = log_in(new_context(viewport={"width": 1280, "height": 900}), live_server.url, handler,
                  f"{handler}-demo-2026")
    desk.goto(f"{live_server.url}/officer/")
    # by its address: the demo's sample complaint has the same subject, and may sit on the same
    # desk when other tests have filed cases before this one
    desk.locator(f'a[href="/officer/cases/{case_id}"]').first.click()
    for step in ("accept", "start"):
        with desk.expect_navigation():
            desk.locator(f"button[value={step}]").click()
    desk.locator("#text").fill(ANSWER)
    with desk.expect_navigation():
        desk.locator("button[value=resolve]").click()
    expect(desk.locator("main")).to_contain_text("Đã trả lời")

    page.goto(f"{live_server.url}/track")
    check_page(page)
    page.locator("#code").fill(code.lower().replace("-", " "))  # as a person might type it
    with page.expect_navigation():
        page.locator("form[method=post] button[type=submit]").click()
    check_page(page)
    expect(page.locator("main")).to_contain_text(ANSWER)
    # The page names the case by its kind; a database number means nothing to the citizen.
    expect(page.get_by_role("heading", level=1)).to_have_text("Khiếu nại")
    expect(page.locator("main")).not_to_contain_text(f"#{case_id}")
