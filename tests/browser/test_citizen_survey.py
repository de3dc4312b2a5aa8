"""A citizen scans a counter's QR code with a phone, rates the service, and the answer counts."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from survey.extensions import db
from survey.models import Response
from tests.browser.conftest import ADMIN, DESKTOP
from tests.browser.helpers import (
    LANGUAGE_LINK,
    QUICK_TITLE,
    answer_quick_form,
    dashboard_today_count,
    decode_qr,
    expect_heading,
    log_in,
    translated,
)

pytestmark = pytest.mark.browser

COMMENT = "<script>alert(1)</script> Cảm ơn"
THANKS = "Thank you for your rating"


def scan_counter_qr(live_server, counter, tmp_path) -> str:
    """Print the counter's QR code with the real CLI and read it back like a phone camera."""
    png = tmp_path / "qr.png"
    live_server.cli("qr", counter.code, "--out", str(png))
    return decode_qr(png)


def stored_responses(live_server, counter) -> list[dict]:
    with live_server.app_context():
        responses = db.session.scalars(select(Response).where(Response.counter_id == counter.id))
        return [{"comment": r.comment, "channel": r.channel.value,
                 "answers": {a.question_code: a.value for a in r.answers}} for r in responses]


def assert_counted_on_admin_overview(live_server, new_context, counter) -> None:
    admin = log_in(new_context(**DESKTOP, is_mobile=False, has_touch=False), live_server.url,
                   *ADMIN)
    assert dashboard_today_count(admin, live_server.url, counter.name) == "1"


def test_citizen_rates_a_counter_from_its_qr_code_in_vietnamese(
        live_server, counter, phone, new_context, tmp_path):
    url = scan_counter_qr(live_server, counter, tmp_path)
    assert url == f"{live_server.url}/s/{counter.survey_code}"
    listed = json.loads(live_server.cli("counters", "list", "--format", "json").stdout)
    assert {"code": counter.code, "url": url}.items() <= next(
        row for row in listed if row["code"] == counter.code).items()

    phone.goto(url)
    expect(phone.locator("html")).to_have_attribute("lang", "vi")
    expect_heading(phone, QUICK_TITLE["vi"])
    expect(phone.get_by_text(counter.name)).to_be_visible()
    answer_quick_form(phone, "vi", overall=5, attitude=4, comment=COMMENT)

    expect_heading(phone, translated(live_server.app, "vi", THANKS))
    assert stored_responses(live_server, counter) == [
        {"comment": COMMENT, "channel": "qr", "answers": {"overall": 5, "attitude": 4}}]
    assert_counted_on_admin_overview(live_server, new_context, counter)


def test_citizen_switches_to_english_with_the_language_link_and_rates_in_english(
        live_server, counter, phone, new_context, tmp_path):
    url = scan_counter_qr(live_server, counter, tmp_path)
    phone.goto(url)
    expect_heading(phone, QUICK_TITLE["vi"])

    phone.get_by_role("link", name=LANGUAGE_LINK["vi"], exact=True).click()
    expect_heading(phone, QUICK_TITLE["en"])
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    answer_quick_form(phone, "en", overall=4, comment=COMMENT)

    expect_heading(phone, translated(live_server.app, "en", THANKS))
    assert stored_responses(live_server, counter) == [
        {"comment": COMMENT, "channel": "qr", "answers": {"overall": 4}}]
    assert_counted_on_admin_overview(live_server, new_context, counter)

    phone.goto(url)  # the next visit, without ?lang=, stays in English
    expect_heading(phone, translated(live_server.app, "en", "You have already rated this counter"))
    expect(phone.locator("html")).to_have_attribute("lang", "en")


def test_language_chosen_by_the_lang_parameter_is_remembered_on_the_next_page_load(
        live_server, counter, phone):
    url = f"{live_server.url}/s/{counter.survey_code}"
    phone.goto(f"{url}?lang=en")
    expect_heading(phone, QUICK_TITLE["en"])

    phone.goto(f"{url}/full")
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    phone.goto(url)
    expect_heading(phone, QUICK_TITLE["en"])

    phone.get_by_role("link", name=LANGUAGE_LINK["en"], exact=True).click()
    expect_heading(phone, QUICK_TITLE["vi"])
    phone.goto(url)
    expect_heading(phone, QUICK_TITLE["vi"])


def test_comment_with_html_comes_back_escaped_after_an_error_and_is_stored_as_typed(
        live_server, counter, phone):
    dialogs = []
    phone.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    phone.goto(f"{live_server.url}/s/{counter.survey_code}")

    with phone.expect_response(lambda r: r.request.method == "POST") as posted:
        answer_quick_form(phone, "vi", overall=None, comment=COMMENT)  # the required answer missing
    assert posted.value.status == 400
    html = posted.value.text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Cảm ơn" in html
    assert "<script>alert(1)" not in html
    expect(phone.locator("textarea#comment")).to_have_value(COMMENT)

    answer_quick_form(phone, "vi", overall=2)
    expect_heading(phone, translated(live_server.app, "vi", THANKS))
    assert [r["comment"] for r in stored_responses(live_server, counter)] == [COMMENT]
    assert dialogs == []


def test_quick_form_can_be_sent_with_javascript_disabled(live_server, counter, new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{live_server.url}/s/{counter.survey_code}")
    answer_quick_form(page, "vi", overall=3, attitude=5)

    expect_heading(page, translated(live_server.app, "vi", THANKS))
    assert [r["answers"] for r in stored_responses(live_server, counter)] == [
        {"overall": 3, "attitude": 5}]


def test_second_submission_from_the_same_browser_is_not_counted(live_server, counter, new_context):
    context = new_context()
    first, second = context.new_page(), context.new_page()
    for page in (first, second):  # the form open in two tabs
        page.goto(f"{live_server.url}/s/{counter.survey_code}")
    first.bring_to_front()  # a background tab is throttled: act in the one in front
    answer_quick_form(first, "vi", overall=5)
    expect_heading(first, translated(live_server.app, "vi", THANKS))

    second.bring_to_front()
    answer_quick_form(second, "vi", overall=1)
    expect_heading(second, translated(live_server.app, "vi", "You have already rated this counter"))
    assert [r["answers"] for r in stored_responses(live_server, counter)] == [{"overall": 5}]

