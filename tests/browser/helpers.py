"""What the browser tests do and check on a page: answer the survey, run axe, measure the layout."""

from __future__ import annotations

from pathlib import Path

import zxingcpp
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from flask_babel import force_locale, gettext
from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect

# The quick questionnaire's face scale (survey/questionnaires/quick.yaml).
FACES = {
    "vi": {1: "Rất không hài lòng", 2: "Không hài lòng", 3: "Bình thường", 4: "Hài lòng",
           5: "Rất hài lòng"},
    "en": {1: "Very dissatisfied", 2: "Dissatisfied", 3: "Neutral", 4: "Satisfied",
           5: "Very satisfied"},
}
QUICK_TITLE = {"vi": "Đánh giá nhanh mức độ hài lòng", "en": "Quick satisfaction rating"}
LANGUAGE_LINK = {"vi": "English", "en": "Tiếng Việt"}  # the link shown on a page in that language
SMALL_SCREEN = 360
MIN_TARGET = 44  # px: WCAG 2.5.5 (AAA) target size, what a thumb needs

_axe = Axe()
# Every rule axe runs by default, plus WCAG 2.2's target size, which it leaves off by default.
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}


def translated(app: Flask, lang: str, message: str) -> str:
    """The app's own translation of a message, so a reworded catalogue does not break a test.

    The messages are written in English; a Vietnamese page showing one untranslated fails here.
    """
    with app.test_request_context("/"), force_locale(lang):
        text = gettext(message)
    assert lang == "en" or text != message, \
        f"no {lang} translation of {message!r} (is the .mo file built?)"
    return text


def decode_qr(path: Path) -> str:
    with Image.open(path) as image:
        codes = zxingcpp.read_barcodes(image)
    assert len(codes) == 1, f"expected one QR code in {path.name}, found {len(codes)}"
    return codes[0].text


def answer_quick_form(page: Page, lang: str, overall: int | None, attitude: int | None = None,
                      comment: str | None = None) -> None:
    """Fill the quick form like a person would and send it."""
    for code, value in (("overall", overall), ("attitude", attitude)):
        if value is not None:
            question(page, code).get_by_role("radio", name=FACES[lang][value], exact=True).check()
    if comment is not None:
        page.locator("textarea#comment").fill(comment)
    send(page)


def question(page: Page, code: str):
    """The fieldset (an ARIA group) of one question."""
    return page.locator(f"fieldset#fs-q_{code}")


def send(page: Page) -> None:
    with page.expect_navigation():
        page.locator("form[method=post] button.submit").click()


def expect_heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def log_in(context: BrowserContext, base_url: str, username: str, password: str) -> Page:
    page = context.new_page()
    page.goto(f"{base_url}/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("form[method=post] button[type=submit]").click()
    return page


def dashboard_today_count(page: Page, base_url: str, counter_name: str) -> str:
    """The 'today: responses' cell of the counter's row on the admin overview."""
    page.goto(f"{base_url}/admin/")
    row = page.locator("tbody tr").filter(has=page.get_by_role("cell", name=counter_name,
                                                                exact=True))
    expect(row).to_have_count(1)
    return row.get_by_role("cell").nth(2).inner_text().strip()


# ---- checks that every citizen page must pass: each returns its problems, empty when none ------

def accessibility_violations(page: Page) -> list[str]:
    violations = _axe.run(page, options=AXE_OPTIONS).response["violations"]
    return [f"axe {v['id']} ({v['impact']}): {v['help']}; nodes: "
            + "; ".join(" ".join(node["target"]) for node in v["nodes"])
            for v in violations]


def sideways_scrolling(page: Page) -> list[str]:
    width = page.evaluate("document.documentElement.scrollWidth")
    return [f"the page is {width}px wide: it scrolls sideways at {SMALL_SCREEN}px"] \
        if width > SMALL_SCREEN else []


def small_touch_targets(page: Page) -> list[str]:
    """Every answer option's label box and the send button are at least 44 px tall."""
    targets = page.locator("label:has(input[type=radio]), form[method=post] button.submit")
    heights = targets.evaluate_all(
        "els => els.map(e => [e.textContent.trim().slice(0, 40),"
        " e.getBoundingClientRect().height])")
    if not heights:
        return ["no answer options and no send button found"]
    return [f"target {text!r} is {height:.1f}px tall, under {MIN_TARGET}px"
            for text, height in heights if height < MIN_TARGET]
