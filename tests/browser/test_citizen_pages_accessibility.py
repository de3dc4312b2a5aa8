"""Every page a citizen can meet passes axe-core, fits a 360 px phone and has thumb-sized targets.

Each page is reached the way a citizen reaches it, in Vietnamese and in English.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from survey.extensions import db
from survey.models import Counter
from survey.services.org import regenerate_survey_code
from survey.services.questionnaires import current_version
from survey.services.tokens import issue_tokens
from survey.web.urls import survey_url
from tests.browser.conftest import CounterInfo, LiveServer
from tests.browser.helpers import (
    QUICK_TITLE,
    accessibility_violations,
    answer_quick_form,
    expect_heading,
    send,
    sideways_scrolling,
    small_touch_targets,
    translated,
)

pytestmark = pytest.mark.browser

LANGS = ["vi", "en"]


def _open_form(page: Page, live: LiveServer, counter: CounterInfo, lang: str,
               path: str = "") -> None:
    page.goto(f"{live.url}/s/{counter.survey_code}{path}?lang={lang}")


def quick_form(page, live, counter, lang):
    _open_form(page, live, counter, lang)
    expect_heading(page, QUICK_TITLE[lang])


def full_form(page, live, counter, lang):
    _open_form(page, live, counter, lang, "/full")
    with live.app_context():
        title = current_version("sipas").definition["title"][lang]
    expect_heading(page, title)


def form_with_an_error(page, live, counter, lang):
    _open_form(page, live, counter, lang)
    send(page)  # without the required overall answer
    expect(page.locator("fieldset.invalid")).to_have_count(1)
    expect(page.locator("fieldset.invalid .err")).to_have_text(
        translated(live.app, lang, "Please choose an answer."))


def thanks(page, live, counter, lang):
    _open_form(page, live, counter, lang)
    answer_quick_form(page, lang, overall=4, attitude=5, comment="Nhanh, chu đáo.")
    expect_heading(page, translated(live.app, lang, "Thank you for your rating"))


def thanks_after_a_low_score(page, live, counter, lang):
    _open_form(page, live, counter, lang)
    answer_quick_form(page, lang, overall=1, comment="Phải chờ quá lâu.")
    expect_heading(page, translated(live.app, lang, "Thank you for your rating"))
    expect(page.get_by_text(translated(live.app, lang, "We are sorry the service fell short."))
           ).to_be_visible()


def already_answered(page, live, counter, lang):
    second_tab = page.context.new_page()
    for tab in (page, second_tab):
        _open_form(tab, live, counter, lang)
    second_tab.bring_to_front()  # a background tab is throttled: act in the one in front
    answer_quick_form(second_tab, lang, overall=5)
    page.bring_to_front()
    answer_quick_form(page, lang, overall=5)
    expect_heading(page, translated(live.app, lang, "You have already rated this counter"))


def revoked_code(page, live, counter, lang):
    with live.app_context():
        regenerate_survey_code(db.session.get(Counter, counter.id))
        db.session.commit()
    _open_form(page, live, counter, lang)  # the old code, as printed on the old poster
    expect_heading(page, translated(live.app, lang, "This QR code is no longer in use"))


def unknown_code(page, live, counter, lang):
    page.goto(f"{live.url}/s/no-such-code?lang={lang}")
    expect_heading(page, translated(live.app, lang, "Page not found"))


def used_one_time_link(page, live, counter, lang):
    with live.app_context():
        row = db.session.scalar(select(Counter).where(Counter.id == counter.id))
        [token] = issue_tokens(row, 1)
        db.session.commit()
        link = survey_url(row, token=token)
    page.goto(f"{link}&lang={lang}")
    answer_quick_form(page, lang, overall=4)
    expect_heading(page, translated(live.app, lang, "Thank you for your rating"))
    page.goto(link)
    expect_heading(page, translated(live.app, lang, "This link has already been used"))


CITIZEN_PAGES: dict[str, Callable] = {
    "quick-form": quick_form,
    "full-form": full_form,
    "form-with-an-error": form_with_an_error,
    "thanks": thanks,
    "thanks-after-a-low-score": thanks_after_a_low_score,
    "already-answered": already_answered,
    "revoked-code": revoked_code,
    "unknown-code": unknown_code,
    "used-one-time-link": used_one_time_link,
}
FORM_PAGES = ["quick-form", "full-form", "form-with-an-error"]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", CITIZEN_PAGES)
def test_citizen_page_passes_axe_and_fits_a_360px_phone(live_server, counter, phone, name, lang):
    CITIZEN_PAGES[name](phone, live_server, counter, lang)
    problems = accessibility_violations(phone) + sideways_scrolling(phone)
    if name in FORM_PAGES:
        problems += small_touch_targets(phone)
    assert not problems, f"{name} ({lang}) at {phone.url}:\n" + "\n".join(problems)
