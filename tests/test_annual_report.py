"""The annual assessment report: figures checked by hand, the page, the PDF, subtree limits.

The data set is small enough to count on paper. Year 2025 at the Hoa Lư commune centre
(NB-HL-TT), Vietnam time:

- quick form ``overall``: 5 5 4 4 3 2 1 5 and 4 (at 00:30 on 1 January, local), so 6 of 9
  satisfied; one more (a 1) excluded by an inspector, one (a 1) at 00:30 on 1 January 2026;
- SIPAS: one respondent answers 5 everywhere, one 2 everywhere but "no opinion" on A1, and their
  ``overall`` are 5 and 2: A1 = 100%, every other criterion 50%, A = 62.5, B-E = 50, index 52.5;
- Decree 61: totals 14 and 9 points, mean 11.5;
- so the satisfaction rate is 7 of 11 (63.64%) and satisfaction with procedures (11 − 3) / 11;
- 2024: 5 5 5 1 (75%); the provincial centre (another subtree) answers 1 1 1 in 2025.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime

import pypdfium2
import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import delete, select

from survey.models import (
    Case,
    CaseKind,
    CaseState,
    Channel,
    Milestone,
    ResponseExclusion,
    TransactionCount,
    Unit,
)
from survey.rules.periods import LOCAL_TZ
from survey.services.annual_report import build_annual_report
from survey.services.questionnaires import current_version
from survey.services.responses import Submission, record_response
from tests.cases_helpers import counter, new_case
from tests.conftest import login

YEAR = 2025
IDENTITY = ("Lê Thị Cúc", "5 Lê Lợi", "cuc@example.vn", "Cán bộ quầy 01 đòi tiền", "Chờ quá lâu")
KEYS = itertools.count()
SIPAS_CODES = [f"{element}{i}" for element, count in zip("ABCDE", (4, 5, 6, 3, 4), strict=True)
               for i in range(1, count + 1)]


def unit(db, code: str) -> Unit:
    return db.session.scalars(select(Unit).where(Unit.code == code)).one()


def answer(questionnaire: str, answers: dict, when: datetime, *, counter_code: str = "NB-HL-Q1",
           channel: Channel = Channel.QR) -> int:
    place = counter(counter_code)
    response_id, _ = record_response(Submission(
        version_id=current_version(questionnaire).id, unit_id=place.unit_id, counter_id=place.id,
        answers=answers, idempotency_key=f"report-{next(KEYS)}", submitted_at=when,
        channel=channel))
    return response_id


def local(year: int, month: int, day: int) -> datetime:
    """9:00 on a day in Vietnam, as the UTC instant stored."""
    return datetime(year, month, day, 9, tzinfo=LOCAL_TZ).astimezone(UTC)


def hand_case(db, kind: CaseKind, received: date, *, due: date, resolved: date | None = None,
              state: CaseState = CaseState.IN_PROGRESS, place: str = "NB-HL-TT",
              satisfied: bool | None = None) -> Case:
    """A case with one ``resolve`` milestone, filed through the service, then dated by hand."""
    case, _ = new_case(kind, counter=counter("NB-HL-Q1" if place == "NB-HL-TT" else "NB-Q01"))
    case.received_at = local(received.year, received.month, received.day)
    case.unit_id = case.handling_unit_id = unit(db, place).id
    case.state = state
    case.resolved_at = local(resolved.year, resolved.month, resolved.day) if resolved else None
    case.citizen_satisfied = satisfied
    case.milestones.clear()
    db.session.flush()
    case.milestones.append(Milestone(name="resolve", label={"vi": "Giải quyết", "en": "Resolve"},
                                     due=due, day_unit="working", days=10, basis="test",
                                     met_at=case.resolved_at))
    db.session.commit()
    return case


@pytest.fixture
def data(demo, db):
    for value in (5, 5, 4, 4, 3, 2, 1, 5):
        answer("quick", {"overall": value}, local(YEAR, 3, 10),
               channel=Channel.PAPER if value == 3 else Channel.QR)
    answer("quick", {"overall": 4}, datetime(2024, 12, 31, 17, 30, tzinfo=UTC))  # 1 Jan, 00:30
    answer("quick", {"overall": 1}, datetime(2025, 12, 31, 17, 30, tzinfo=UTC))  # 2026 locally
    excluded = answer("quick", {"overall": 1}, local(YEAR, 6, 1))
    db.session.add(ResponseExclusion(response_id=excluded, reason="bấm hộ"))
    answer("sipas", {"overall": 5, **dict.fromkeys(SIPAS_CODES, 5)}, local(YEAR, 4, 2),
           channel=Channel.ONLINE)
    answer("sipas", {"overall": 2, **dict.fromkeys(SIPAS_CODES, 2), "A1": None},
           local(YEAR, 4, 3), channel=Channel.ONLINE)
    answer("decree61", dict(zip([f"c{i}" for i in range(1, 10)], (2, 1, 2, 1, 2, 1, 2, 1, 2),
                                strict=True)), local(YEAR, 5, 5), channel=Channel.KIOSK)
    answer("decree61", {f"c{i}": 1 for i in range(1, 10)}, local(YEAR, 5, 6),
           channel=Channel.KIOSK)
    for value in (5, 5, 5, 1):
        answer("quick", {"overall": value}, local(YEAR - 1, 8, 8))
    for _ in range(3):
        answer("quick", {"overall": 1}, local(YEAR, 3, 10), counter_code="NB-Q01")
    db.session.execute(delete(TransactionCount))
    db.session.add_all([TransactionCount(unit_id=unit(db, "NB-HL-TT").id, month=date(YEAR, m, 1),
                                         transactions=100) for m in range(1, 13)])
    db.session.commit()

    hand_case(db, CaseKind.FEEDBACK, date(YEAR, 3, 3), due=date(YEAR, 3, 17),
              resolved=date(YEAR, 3, 10), state=CaseState.RESOLVED, satisfied=False)
    hand_case(db, CaseKind.FEEDBACK, date(YEAR, 5, 5), due=date(YEAR, 5, 19),
              resolved=date(YEAR, 5, 26), state=CaseState.RESOLVED)  # a week late
    hand_case(db, CaseKind.FEEDBACK, date(YEAR - 1, 12, 20), due=date(YEAR, 1, 6),
              resolved=date(YEAR, 1, 5), state=CaseState.CLOSED)  # received the year before
    hand_case(db, CaseKind.COMPLAINT, date(YEAR, 11, 3), due=date(YEAR, 12, 15))  # still open
    hand_case(db, CaseKind.DENUNCIATION, date(YEAR, 6, 2), due=date(YEAR, 6, 30),
              state=CaseState.REFUSED)  # outside competence
    hand_case(db, CaseKind.DENUNCIATION, date(YEAR, 7, 1), due=date(YEAR, 8, 15),
              resolved=date(YEAR, 8, 1), state=CaseState.RESOLVED)
    hand_case(db, CaseKind.FEEDBACK, date(YEAR, 4, 1), due=date(YEAR, 4, 15),
              place="NB-TTHCC")  # another subtree
    return unit(db, "NB-HL-TT")


def test_figures_match_the_hand_count(data, db):
    report = build_annual_report(data, YEAR, today=date(YEAR + 1, 3, 1))
    assert (report["from"], report["to"], report["complete"]) == ("2025-01-01", "2025-12-31",
                                                                   True)
    indices = {figure["method"]: figure for figure in report["indices"]}
    assert (indices["satisfaction-rate"]["n"], indices["satisfaction-rate"]["index"]) == (11, 63.64)
    assert indices["satisfaction-rate"]["previous"]["index"] == 75.0
    assert (indices["sipas"]["n"], indices["sipas"]["index"]) == (2, 52.5)
    assert (indices["decree61"]["n"], indices["decree61"]["index"]) == (2, 11.5)
    elements = {e["code"]: e for e in report["sipas_elements"]}
    assert [elements[c]["index"] for c in "ABCDE"] == [62.5, 50.0, 50.0, 50.0, 50.0]
    assert elements["A"]["criteria"][0]["code"] == "A1"
    assert (elements["A"]["criteria"][0]["n"], elements["A"]["criteria"][0]["index"]) == (1, 100.0)
    assert elements["A"]["name"]["vi"] == "Tiếp cận dịch vụ"
    assert [c["index"] for c in report["decree61_criteria"]] == [1.5, 1.0] * 4 + [1.5]
    for figure in (*report["indices"], *report["sipas_elements"]):
        if figure["index"] is not None:
            assert figure["ci95"][0] <= figure["index"] <= figure["ci95"][1]


def test_sample_counts_channels_exclusions_and_coverage(data, db):
    sample = build_annual_report(data, YEAR, today=date(YEAR + 1, 3, 1))["sample"]
    assert (sample["responses"], sample["excluded"], sample["previous_responses"]) == (13, 1, 4)
    channels = {row["channel"]: row for row in sample["by_channel"]}
    assert {c: (r["responses"], r["excluded"]) for c, r in channels.items()} == {
        "qr": (9, 1), "kiosk": (2, 0), "paper": (1, 0), "online": (2, 0)}
    assert sample["respondents"] == {"satisfaction-rate": 11, "sipas": 2, "decree61": 2}
    # 1,200 dossiers: n = 1200 / (1 + 1200 × 0.05²) = 300 responses needed
    assert (sample["transactions"], sample["required_sample"]) == (1200, 300)
    assert (sample["response_rate"], sample["sample_sufficient"]) == (1.08, False)


def test_case_statistics_and_766_ratios(data, db):
    report = build_annual_report(data, YEAR, today=date(YEAR + 1, 3, 1))
    kinds = {row["kind"]: row for row in report["cases"]["by_kind"]}
    figures = ("received", "outside_competence", "resolved", "on_time", "late", "open_overdue")
    assert {kind: tuple(row[f] for f in figures) for kind, row in kinds.items()} == {
        "feedback": (2, 0, 3, 2, 1, 0),
        "complaint": (1, 0, 0, 0, 0, 1),
        "denunciation": (2, 1, 1, 1, 0, 0),
    }
    assert tuple(report["cases"]["total"][f] for f in figures) == (5, 1, 4, 3, 1, 1)
    ratios = {r["code"]: (r["n"], r["index"]) for r in report["qd766"]["ratios"]}
    assert ratios == {"on_time": (5, 60.0),  # due in 2025 and within competence: 3 of 5 met
                      "feedback_satisfaction": (4, 50.0),  # one rated unsatisfied, one late
                      "procedure_satisfaction": (11, round(800 / 11, 2))}


def test_withdrawn_and_terminated_cases_are_neither_late_nor_open(data, db):
    before = build_annual_report(data, YEAR, today=date(YEAR + 1, 3, 1))
    hand_case(db, CaseKind.COMPLAINT, date(YEAR, 2, 2), due=date(YEAR, 3, 16),
              state=CaseState.WITHDRAWN)
    hand_case(db, CaseKind.DENUNCIATION, date(YEAR, 9, 1), due=date(YEAR, 10, 15),
              state=CaseState.TERMINATED)
    after = build_annual_report(data, YEAR, today=date(YEAR + 1, 3, 1))
    assert after["cases"]["total"]["received"] == before["cases"]["total"]["received"] + 2
    assert after["cases"]["total"]["open_overdue"] == before["cases"]["total"]["open_overdue"]
    assert after["qd766"]["ratios"] == before["qd766"]["ratios"]


def test_a_deadline_still_ahead_on_the_day_is_not_overdue(data, db):
    report = build_annual_report(data, YEAR, today=date(YEAR, 12, 1))
    assert report["complete"] is False and report["cases"]["as_of"] == "2025-12-01"
    assert report["cases"]["total"]["open_overdue"] == 0  # the complaint is due on 15 December


def test_comparison_with_last_year_gives_a_verdict_per_figure(data, db):
    report = build_annual_report(data, YEAR, today=date(YEAR + 1, 3, 1))
    rows = {(row["method"], row["code"]): row for row in report["comparison"]}
    rate = rows[("satisfaction-rate", None)]
    assert (rate["before"]["index"], rate["after"]["index"]) == (75.0, 63.64)
    assert rate["difference"] == -11.36 and rate["verdict"] == "not_comparable"  # n < 30
    assert {("sipas", c) for c in "ABCDE"} <= set(rows)
    assert {("qd766", c) for c in ("on_time", "feedback_satisfaction",
                                   "procedure_satisfaction")} <= set(rows)


def pdf_text(content: bytes) -> str:
    document = pypdfium2.PdfDocument(content)
    text = " ".join(page.get_textpage().get_text_range() for page in document)
    return " ".join(text.split())


def test_inspector_reads_the_page_in_the_ui_language(client, data):
    login(client, "thanhtra")
    page = client.get(f"/inspect/report?unit=NB-HL-TT&year={YEAR}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "63,64%" in html and "52,50%" in html and "11,50" in html
    assert "Tiếp cận dịch vụ" in html and "/inspect/report.pdf?unit=NB-HL-TT&amp;year=2025" in html
    english = client.get(f"/inspect/report?unit=NB-HL-TT&year={YEAR}&lang=en")
    text = english.get_data(as_text=True)
    assert "63.64%" in text and "Access to the service" in text
    assert not any(secret in html + text for secret in IDENTITY)


def test_the_form_defaults_to_the_users_unit_and_last_year(client, data, app):
    login(client, "lanhdao1")  # leader of the Hoa Lư commune centre
    html = client.get("/inspect/report").get_data(as_text=True)
    assert re.search(r'<option selected value="NB-HL-TT">', html)
    assert re.search(r'name="year"[^>]*value="\d{4}"', html)
    with app.test_request_context("/?lang=vi"):
        assert gettext("Annual satisfaction assessment report") in html


def test_invalid_year_re_renders_the_form_with_its_error(client, data):
    login(client, "thanhtra")
    for year in ("abc", "1999", "2999"):
        reply = client.get(f"/inspect/report?unit=NB&year={year}")
        html = reply.get_data(as_text=True)
        assert reply.status_code == 400 and 'class="err"' in html, year
        assert "report-head" not in html


def test_leader_cannot_get_a_report_outside_their_subtree(client, data):
    login(client, "lanhdao1")
    assert client.get(f"/inspect/report?unit=NB-TTHCC&year={YEAR}").status_code == 404
    assert client.get(f"/inspect/report.pdf?unit=NB&year={YEAR}").status_code == 404
    assert client.get(f"/inspect/report?unit=NOPE&year={YEAR}").status_code == 404
    own = client.get(f"/inspect/report?unit=NB-HL-TT&year={YEAR}")
    assert own.status_code == 200 and "63,64%" in own.get_data(as_text=True)


def test_officers_are_refused_the_report(client, data):
    login(client, "canbo1")
    assert client.get(f"/inspect/report?year={YEAR}").status_code == 403
    assert client.get(f"/inspect/report.pdf?year={YEAR}").status_code == 403


def test_pdf_is_vietnamese_with_figures_and_no_personal_data(client, data, app):
    login(client, "thanhtra")
    reply = client.get(f"/inspect/report.pdf?unit=NB-HL-TT&year={YEAR}&lang=en")
    assert reply.status_code == 200 and reply.mimetype == "application/pdf"
    assert reply.data.startswith(b"%PDF")
    assert 'filename="bao-cao-hai-long-nb-hl-tt-2025.pdf"' in reply.headers["Content-Disposition"]
    text = pdf_text(reply.data)
    pages = len(pypdfium2.PdfDocument(reply.data))
    with app.test_request_context("/"), force_locale("vi"):
        headings = [gettext("Annual satisfaction assessment report"),
                    gettext("1. Method and sample"), gettext("2. Satisfaction indices"),
                    gettext("3. Comparison with last year"),
                    gettext("4. Feedback, complaints and denunciations")]
        kinds = [gettext("Feedback or petition"), gettext("Complaint"), gettext("Denunciation")]
        numbers = [gettext("Page %(page)s of %(pages)s", page=page, pages=pages)
                   for page in range(1, pages + 1)]
        generated = gettext("Generated on %(moment)s", moment="").strip()
    assert pages >= 4  # a page for each section
    for expected in (*headings, *kinds, *numbers, generated):
        assert " ".join(expected.split()) in text, expected
    for figure in ("63,64%", "52,50%", "62,50%", "11,50", "75,00%", "72,73%", "60,00%", "1.200"):
        assert figure in text, figure
    assert "Tiếp cận dịch vụ" in text and "Trung tâm Phục vụ hành chính công phường Hoa Lư" in text
    assert "63.64" not in text  # the decimal comma, whatever the page's language
    assert not any(secret in text for secret in IDENTITY)
