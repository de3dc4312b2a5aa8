"""No case lost, in Chromium: the routing page's "try it" box, the Unassigned queue, the user
pages and a case's routing history, axe-clean at phone and desktop widths, in both languages."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from survey.extensions import db
from tests.browser.conftest import DESKTOP
from tests.browser.helpers import accessibility_violations, log_in

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SURVEY_SHOTS", "test-artifacts/routing"))
PHONE_WIDE = {"viewport": {"width": 360, "height": 740}}
WIDTHS = [("1280", DESKTOP), ("360", PHONE_WIDE)]


def check(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)
    problems = accessibility_violations(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    if width > viewport:
        problems.append(f"the page is {width}px wide at {viewport}px")
    assert not problems, "\n".join(problems)


def unit_id(live_server, code: str) -> int:
    from survey.models import Unit

    with live_server.app_context():
        return db.session.scalar(select(Unit.id).where(Unit.code == code))


@pytest.mark.parametrize(("width", "options"), WIDTHS)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_try_it_names_the_holder_and_every_step(live_server, new_context, width, options, lang):
    page = log_in(new_context(**options), live_server.url, "admin", "admin-demo-2026")
    page.goto(f"{live_server.url}/admin/routing?lang={lang}")
    page.select_option("#kind", "feedback")
    page.select_option("#unit_id", str(unit_id(live_server, "NB-HL")))
    page.get_by_role("button", name="Vụ việc sẽ được chuyển đến đâu?" if lang == "vi"
                     else "Where would it go?").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Đinh Văn Hùng")
    expect(status).not_to_contain_text("#")
    expect(status.locator("li")).to_have_count(4)
    check(page, f"try-it-{lang}-{width}")


@pytest.mark.parametrize(("width", "options"), WIDTHS)
def test_the_unassigned_queue_and_the_user_pages_pass_axe(live_server, new_context, width,
                                                          options):
    page = log_in(new_context(**options), live_server.url, "admin", "admin-demo-2026")
    page.goto(f"{live_server.url}/officer/unassigned")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vụ việc chưa có người xử lý")
    check(page, f"unassigned-{width}")
    page.goto(f"{live_server.url}/admin/users?q=canbo")
    expect(page.get_by_role("link", name="canbo1", exact=True)).to_be_visible()
    check(page, f"users-{width}")
    page.get_by_role("link", name="canbo1", exact=True).click()
    expect(page.get_by_label("Họ và tên")).to_have_value("Phạm Thu Hà")
    check(page, f"edit-user-{width}")


@pytest.mark.parametrize(("width", "options"), WIDTHS)
def test_a_holder_reads_why_the_case_came_to_them(live_server, new_context, width, options):
    from survey.models import Case, User

    with live_server.app_context():
        leader = db.session.scalar(select(User).where(User.username == "lanhdao"))
        case_id = db.session.scalar(select(Case.id).where(Case.assignee_id == leader.id)
                                    .order_by(Case.id))
    page = log_in(new_context(**options), live_server.url, "lanhdao", "lanhdao-demo-2026")
    page.goto(f"{live_server.url}/officer/cases/{case_id}")
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("Giao cho Lê Minh Đức (Giám đốc Trung tâm)")
    check(page, f"case-history-{width}")
