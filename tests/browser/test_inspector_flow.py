"""The inspector's path: filter the desk, read the index, download the responses as XLSX."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest
from playwright.sync_api import expect

from survey.extensions import db
from tests.browser.helpers import accessibility_violations, log_in

pytestmark = pytest.mark.browser

WHEN = datetime(2025, 3, 10, 3, tzinfo=UTC)  # a past year: other tests answer today


def rate_counter(live_server, counter, satisfied: int, unsatisfied: int) -> None:
    from survey.models import Counter
    from survey.services.questionnaires import current_version
    from survey.services.responses import Submission, record_response

    with live_server.app_context():
        version = current_version("quick").id
        unit_id = db.session.get(Counter, counter.id).unit_id
        for i in range(satisfied + unsatisfied):
            record_response(Submission(
                version_id=version, unit_id=unit_id, counter_id=counter.id,
                answers={"overall": 5 if i < satisfied else 2},
                idempotency_key=f"inspector-{counter.code}-{i}", submitted_at=WHEN))
        db.session.commit()


def test_inspector_filters_reads_the_index_and_downloads_xlsx(live_server, counter, new_context,
                                                               tmp_path):
    rate_counter(live_server, counter, satisfied=30, unsatisfied=10)
    page = log_in(new_context(viewport={"width": 1280, "height": 900}), live_server.url,
                  "thanhtra", "thanhtra-demo-2026")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert "/inspect/" in page.url  # inspectors land on their desk

    page.locator("#date_from").fill("2025-01-01")
    page.locator("#date_to").fill("2025-12-31")
    page.locator("#counter").select_option(counter.code)
    page.locator("#method").select_option("satisfaction-rate")
    with page.expect_navigation():
        page.locator("form[role=search] button[type=submit]").click()

    headline = page.locator("table.headline tbody tr").first
    expect(headline).to_contain_text("75,00%")  # 30 of 40, Vietnamese decimal comma
    expect(headline).to_contain_text("59,81% – 85,81%")  # its Wilson interval
    expect(page.locator("#trend-chart, svg[role=img]").first).to_be_visible()
    problems = accessibility_violations(page)
    assert not problems, "\n".join(problems)

    with page.expect_download() as download:
        page.locator("a[href*='/inspect/export.xlsx']").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".xlsx"
    sheets = pd.read_excel(saved, sheet_name=None)
    responses = next(iter(sheets.values()))
    assert len(responses) == 40 and set(responses["counter"]) == {counter.code}
    assert sorted(responses["overall"].value_counts().items()) == [(2, 10), (5, 30)]
    assert len(sheets) >= 2  # and a codebook


def test_flags_and_annual_report_pages_pass_axe(live_server, counter, new_context):
    rate_counter(live_server, counter, satisfied=3, unsatisfied=1)
    page = log_in(new_context(viewport={"width": 1280, "height": 900}), live_server.url,
                  "thanhtra", "thanhtra-demo-2026")
    for path in ("/inspect/flags?date_from=2025-01-01&date_to=2025-12-31",
                 "/inspect/report?unit=NB&year=2025",
                 "/inspect/comments?date_from=2025-01-01&date_to=2025-12-31"):
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        problems = accessibility_violations(page)
        assert not problems, f"{path}:\n" + "\n".join(problems)
    page.goto(live_server.url + "/inspect/report?unit=NB&year=2025")
    page.emulate_media(media="print")
    assert not page.locator("nav.staff").is_visible()  # no menu on paper
