"""Monthly transaction counts: the required sample and response rate they give, how they are typed
in, imported and summed over a period, the admin page and the command line."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from fractions import Fraction
from io import BytesIO
from pathlib import Path

import pandas as pd
import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from survey.analysis.coverage import coverage, month_fraction, months_between, prorated_total
from survey.models import AuditEvent, TransactionCount, Unit, User
from survey.services import transactions as service
from survey.services.org import subtree_ids
from survey.services.paper_files import ImportFileError
from tests.conftest import csrf_token, first_counter, login, submit_survey

YEAR = 2021  # before the demo's counts (last year and this year)


@pytest.fixture
def english(app):
    """Pin the messages to their English source text, which the assertions quote."""
    with force_locale("en"):
        yield


def unit(db, code: str) -> Unit:
    return db.session.scalars(select(Unit).where(Unit.code == code)).one()


def stored(db, code: str, year: int = YEAR) -> dict[str, int]:
    rows = db.session.scalars(select(TransactionCount).where(
        TransactionCount.unit_id == unit(db, code).id, TransactionCount.month >= date(year, 1, 1),
        TransactionCount.month <= date(year, 12, 1)))
    return {row.month.isoformat()[:7]: row.transactions for row in rows}


def write_csv(tmp_path: Path, *lines: str, bom: bool = False, name: str = "counts.csv") -> Path:
    path = tmp_path / name
    path.write_bytes((("\ufeff" if bom else "") + "\n".join(lines) + "\n").encode("utf-8"))
    return path


# ---- coverage: the required sample and the response rate (pure, hand-computed) ------------------

def test_a_thousand_transactions_need_286_responses_at_five_percent():
    # 1000 / (1 + 1000 × 0.05²) = 1000 / 3.5 = 285.71, rounded up.
    assert coverage(1000, 300) == {"transactions": 1000, "required_sample": 286, "responses": 300,
                                   "response_rate": 30.0, "sample_sufficient": True}
    assert coverage(1000, 285)["sample_sufficient"] is False
    assert coverage(1000, 286)["sample_sufficient"] is True


@pytest.mark.parametrize(("population", "margin", "required"), [
    (100, 0.05, 80),      # 100 / 1.25 = 80 exactly
    (500, 0.05, 223),     # 500 / 2.25 = 222.2
    (10_000, 0.05, 385),  # 10000 / 26 = 384.6
    (1000, 0.03, 527),    # 1000 / 1.9 = 526.3
    (1, 0.05, 1),         # 1 / 1.0025
])
def test_required_sample_follows_n_over_one_plus_n_e_squared(population, margin, required):
    assert coverage(population, 0, margin)["required_sample"] == required


def test_response_rate_is_a_percentage_with_two_decimals():
    assert coverage(3, 1)["response_rate"] == 33.33
    assert coverage(3, 2)["response_rate"] == 66.67
    assert coverage(4000, 123)["response_rate"] == 3.08  # 3.075 is 3.0749999 in binary


def test_without_transactions_only_the_responses_are_known():
    assert coverage(None, 42) == {"transactions": None, "required_sample": None, "responses": 42,
                                  "response_rate": None, "sample_sufficient": None}


def test_zero_transactions_give_no_rate_and_no_verdict():
    assert coverage(0, 5) == {"transactions": 0, "required_sample": 0, "responses": 5,
                              "response_rate": None, "sample_sufficient": None}


def test_more_responses_than_transactions_shows_a_rate_above_100():
    assert coverage(50, 60)["response_rate"] == 120.0


def test_negative_figures_are_refused():
    with pytest.raises(ValueError):
        coverage(-1, 0)
    with pytest.raises(ValueError):
        coverage(10, -1)


# ---- months cut by a period (pure) ---------------------------------------------------------------

def test_a_month_counts_for_its_share_of_days_inside_the_period():
    assert month_fraction(date(2027, 1, 1), date(2027, 1, 15), date(2027, 3, 31)) == Fraction(17, 31)
    assert month_fraction(date(2027, 2, 1), date(2027, 1, 15), date(2027, 3, 31)) == 1
    assert month_fraction(date(2028, 2, 1), None, date(2028, 2, 14)) == Fraction(14, 29)  # leap
    assert month_fraction(date(2027, 5, 1), None, None) == 1
    assert month_fraction(date(2027, 4, 1), date(2027, 5, 1), None) == 0


def test_prorated_total_is_rounded_half_up_once_at_the_end():
    # 10 of January's 31 days: 310 × 10/31 = 100; all of February: 280.
    assert prorated_total([(date(2027, 1, 1), 310), (date(2027, 2, 1), 280)],
                          date(2027, 1, 22), date(2027, 2, 28)) == 380
    # Half of February 2027 (14 of 28 days) of 1 is 0.5: rounded up. 13 days: 0.46, down.
    assert prorated_total([(date(2027, 2, 1), 1)], date(2027, 2, 1), date(2027, 2, 14)) == 1
    assert prorated_total([(date(2027, 2, 1), 1)], date(2027, 2, 1), date(2027, 2, 13)) == 0
    # Three thirds of a third: summed exactly before rounding (1/3 × 3 = 1, not 0 + 0 + 0).
    thirds = [(date(2027, m, 1), 1) for m in (4, 6, 9)]  # 30-day months, 10 days of each
    assert prorated_total(thirds[:1], date(2027, 4, 1), date(2027, 4, 10)) == 0
    assert sum(month_fraction(m, date(2027, 4, 21), date(2027, 9, 10)) * c
               for m, c in thirds) == Fraction(1, 3) + 1 + Fraction(1, 3)


def test_months_between_lists_every_month_the_period_touches():
    assert months_between(date(2027, 11, 15), date(2028, 2, 1)) == [
        date(2027, 11, 1), date(2027, 12, 1), date(2028, 1, 1), date(2028, 2, 1)]


# ---- typed in: set, replace, delete, list ----------------------------------------------------------

def test_set_replace_and_delete_a_count_each_leave_an_audit_event(db, demo, english):
    admin = db.session.scalars(select(User).where(User.username == "admin")).one()
    centre = unit(db, "NB-TTHCC")

    service.set_count(centre, date(YEAR, 3, 1), 1200, actor=admin)
    service.set_count(centre, date(YEAR, 3, 1), 1250, actor=admin)
    assert stored(db, "NB-TTHCC") == {"2021-03": 1250}
    assert service.delete_count(centre, date(YEAR, 3, 1), actor=admin) is True
    assert service.delete_count(centre, date(YEAR, 3, 1), actor=admin) is False  # nothing left
    db.session.commit()

    assert stored(db, "NB-TTHCC") == {}
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "transaction_counts_saved").order_by(AuditEvent.id)).all()
    assert [e.detail["changes"] for e in events] == [
        [{"month": "2021-03", "from": None, "to": 1200}],
        [{"month": "2021-03", "from": 1200, "to": 1250}],
        [{"month": "2021-03", "from": 1250, "to": None}]]
    assert {e.actor_id for e in events} == {admin.id}


def test_saving_the_same_value_again_changes_nothing_and_records_nothing(db, demo):
    centre = unit(db, "NB-TTHCC")
    service.set_count(centre, date(YEAR, 3, 1), 1200, actor=None)
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))

    assert service.save_months(centre, {date(YEAR, 3, 1): 1200, date(YEAR, 4, 1): None},
                               actor=None) == []
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_one_refused_month_changes_no_month(db, demo, english):
    centre = unit(db, "NB-TTHCC")
    today = date(2027, 5, 20)
    with pytest.raises(service.CountsError) as refused:
        service.save_months(centre, {date(2027, 4, 1): 900, date(2027, 6, 1): 10,
                                     date(2027, 3, 1): -1, date(1999, 1, 1): 5,
                                     date(2027, 2, 1): 10_000_001}, actor=None, today=today)
    assert refused.value.problems == {
        date(2027, 6, 1): "This month has not begun yet.",
        date(2027, 3, 1): "The number of transactions cannot be negative.",
        date(1999, 1, 1): "Counts before 2000 are not kept.",
        date(2027, 2, 1): "More than 10,000,000 transactions in one month: check the number."}
    assert stored(db, "NB-TTHCC", 2027) == {}
    # The current month may be counted while it runs.
    service.save_months(centre, {date(2027, 5, 1): 300}, actor=None, today=today)
    assert stored(db, "NB-TTHCC", 2027) == {"2027-05": 300}


def test_list_counts_of_a_subtree_and_a_year_by_unit_code_then_month(db, demo):
    for code, month, n in [("NB-HL-TT", 2, 20), ("NB-GV-TT", 1, 10), ("NB-HL-TT", 1, 30),
                           ("NB-TTHCC", 1, 99)]:
        service.set_count(unit(db, code), date(YEAR, month, 1), n, actor=None)
    service.set_count(unit(db, "NB-HL-TT"), date(YEAR - 1, 12, 1), 5, actor=None)

    rows = service.list_counts(subtree_ids(unit(db, "NB-HL").id) +
                               subtree_ids(unit(db, "NB-GV").id), YEAR)

    assert [(r.unit_id, r.month.month, r.transactions) for r in rows] == [
        (unit(db, "NB-GV-TT").id, 1, 10), (unit(db, "NB-HL-TT").id, 1, 30),
        (unit(db, "NB-HL-TT").id, 2, 20)]


# ---- summed for a period -------------------------------------------------------------------------

@pytest.fixture
def counts(db, demo):
    """Two commune centres with counts for January to March 2021."""
    for code, values in {"NB-HL-TT": (310, 280, 310), "NB-GV-TT": (62, 56, 0)}.items():
        service.save_months(unit(db, code), {date(YEAR, m, 1): v for m, v in
                                              zip((1, 2, 3), values, strict=True)}, actor=None)
    db.session.commit()
    return {"HL": unit(db, "NB-HL-TT").id, "GV": unit(db, "NB-GV-TT").id}


def test_totals_roll_up_the_given_subtree_over_whole_months(db, counts):
    province = subtree_ids(unit(db, "NB").id)

    assert service.totals(province, date(YEAR, 1, 1), date(YEAR, 3, 31)) == 1018
    assert service.totals([counts["HL"]], date(YEAR, 1, 1), date(YEAR, 12, 31)) == 900
    assert service.totals(province, date(YEAR, 1, 1), date(YEAR, 3, 31),
                          by="unit") == {counts["HL"]: 900, counts["GV"]: 118}
    assert service.totals(province, date(YEAR, 1, 1), date(YEAR, 3, 31),
                          by="month") == {date(YEAR, 1, 1): 372, date(YEAR, 2, 1): 336,
                                          date(YEAR, 3, 1): 310}


def test_totals_count_a_month_cut_by_the_period_pro_rata_to_its_days(db, counts):
    # 22-31 January is 10 of 31 days: HL 310 → 100, GV 62 → 20; all of February: 280 + 56.
    hl_gv = [counts["HL"], counts["GV"]]
    assert service.totals(hl_gv, date(YEAR, 1, 22), date(YEAR, 2, 28)) == 456
    assert service.totals(hl_gv, date(YEAR, 1, 22), date(YEAR, 2, 28),
                          by="month") == {date(YEAR, 1, 1): 120, date(YEAR, 2, 1): 336}
    # 1-14 February 2021 is half the month.
    assert service.totals([counts["HL"]], date(YEAR, 2, 1), date(YEAR, 2, 14)) == 140


def test_totals_are_none_where_no_month_has_a_count_and_zero_where_the_count_is_zero(db, counts):
    assert service.totals([counts["HL"]], date(2020, 1, 1), date(2020, 12, 31)) is None
    assert service.totals([], date(YEAR, 1, 1), date(YEAR, 3, 31)) is None
    assert service.totals([counts["GV"]], date(YEAR, 3, 1), date(YEAR, 3, 31)) == 0
    assert service.totals([counts["HL"]], date(2020, 1, 1), date(2020, 12, 31),
                          by="month") == {}


def test_totals_with_open_ends_and_every_unit(db, counts):
    everything = service.totals(None, None, None)
    assert everything == db.session.scalar(select(func.sum(TransactionCount.transactions)))
    assert service.totals([counts["HL"]], None, date(YEAR, 2, 28)) == 590
    with pytest.raises(ValueError):
        service.totals(None, date(YEAR, 2, 1), date(YEAR, 1, 1))
    with pytest.raises(ValueError):
        service.totals(None, None, None, by="quarter")


# ---- imported from CSV or XLSX ---------------------------------------------------------------------

def test_csv_with_a_byte_order_mark_is_imported_and_a_second_import_changes_nothing(
        tmp_path, db, demo):
    path = write_csv(tmp_path, "unit,month,transactions", "NB-HL-TT,2021-01,310",
                     "NB-HL-TT,2021-02,280", "NB-GV-TT,2021-01,62", bom=True)

    assert service.import_counts(path) == {"imported": 3, "unchanged": 0, "rejected": 0,
                                           "errors": []}
    assert service.import_counts(path) == {"imported": 0, "unchanged": 3, "rejected": 0,
                                           "errors": []}
    assert stored(db, "NB-HL-TT") == {"2021-01": 310, "2021-02": 280}
    rows = db.session.scalars(select(TransactionCount).where(TransactionCount.month < date(2022, 1, 1)))
    assert {row.source for row in rows} == {"import"}


def test_a_row_replaces_the_count_typed_in_for_its_unit_and_month(tmp_path, db, demo):
    service.set_count(unit(db, "NB-HL-TT"), date(YEAR, 1, 1), 300, actor=None)
    path = write_csv(tmp_path, "Unit,Month,Transactions", "NB-HL-TT,2021-01,310",
                     "NB-HL-TT,2021-02,280")

    assert service.import_counts(path)["imported"] == 2
    assert stored(db, "NB-HL-TT") == {"2021-01": 310, "2021-02": 280}
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "transaction_counts_imported")).one()
    assert event.detail == {"file": "counts.csv", "rows": 2}


def test_xlsx_with_date_cells_and_number_cells_imports_like_csv(tmp_path, db, demo):
    path = tmp_path / "counts.xlsx"
    pd.DataFrame({"unit": ["NB-HL-TT", "NB-GV-TT"], "month": [datetime(2021, 1, 1), "2021-02"],
                  "transactions": [310, 56.0]}).to_excel(path, index=False)

    assert service.import_counts(path)["imported"] == 2
    assert stored(db, "NB-HL-TT") == {"2021-01": 310}
    assert stored(db, "NB-GV-TT") == {"2021-02": 56}


def test_semicolon_separated_csv_and_blank_rows_keep_spreadsheet_row_numbers(tmp_path, db, demo,
                                                                              english):
    path = write_csv(tmp_path, "unit;month;transactions", "NB-HL-TT;2021-01;310", ";;",
                     "NB-NOWHERE;2021-02;280")

    report = service.import_counts(path)

    assert report["errors"] == [{"row": 4, "column": "unit",
                                 "message": "Unknown unit code NB-NOWHERE."}]


def test_every_problem_is_reported_with_its_row_and_column_and_nothing_is_stored(
        tmp_path, db, demo, english):
    path = write_csv(tmp_path, "unit,month,transactions",
                     "NB-HL-TT,2021-01,310",
                     ",2021-02,1",
                     "NB-HL-TT,Jan 2021,-4",
                     "NB-HL-TT,2021-13,1.250",
                     "NB-HL-TT,2099-01,",
                     "NB-HL-TT,1999-12,10000001",
                     "NB-HL-TT,2021-01,311")

    report = service.import_counts(path, today=date(2027, 5, 20))

    assert (report["imported"], report["unchanged"], report["rejected"]) == (0, 0, 6)
    assert report["errors"] == [
        {"row": 3, "column": "unit", "message": "The unit code is missing."},
        {"row": 4, "column": "month",
         "message": "“Jan 2021” is not a month: write it as YYYY-MM (e.g. 2027-01)."},
        {"row": 4, "column": "transactions",
         "message": "The number of transactions cannot be negative."},
        {"row": 5, "column": "month",
         "message": "“2021-13” is not a month: write it as YYYY-MM (e.g. 2027-01)."},
        {"row": 5, "column": "transactions", "message": "“1.250” is not a whole number: write "
                                                        "the transactions with digits only (e.g. 1250)."},
        {"row": 6, "column": "month", "message": "This month has not begun yet."},
        {"row": 6, "column": "transactions", "message": "The number of transactions is missing."},
        {"row": 7, "column": "month", "message": "Counts before 2000 are not kept."},
        {"row": 7, "column": "transactions",
         "message": "More than 10,000,000 transactions in one month: check the number."},
        {"row": 8, "column": "month", "message": "This unit and month are already in row 2."}]
    assert stored(db, "NB-HL-TT") == {}


def test_dry_run_counts_what_would_change_and_stores_nothing(tmp_path, db, demo):
    service.set_count(unit(db, "NB-HL-TT"), date(YEAR, 1, 1), 310, actor=None)
    path = write_csv(tmp_path, "unit,month,transactions", "NB-HL-TT,2021-01,310",
                     "NB-HL-TT,2021-02,280")

    assert service.import_counts(path, dry_run=True) == {"imported": 1, "unchanged": 1,
                                                         "rejected": 0, "errors": []}
    assert stored(db, "NB-HL-TT") == {"2021-01": 310}


@pytest.mark.parametrize(("lines", "words"), [
    (("unit,transactions", "NB-HL-TT,5"), "Required columns are missing: month."),
    (("unit,month,transactions,note", "NB-HL-TT,2021-01,5,x"), "Unknown columns: note."),
    (("unit,month,month,transactions",), "Columns appear more than once: month."),
    (("unit,month,transactions,", "NB-HL-TT,2021-01,5,7"), "Column 4 has values but no name"),
])
def test_a_wrong_header_refuses_the_whole_file(tmp_path, db, demo, english, lines, words):
    with pytest.raises(ImportFileError, match=re.escape(words)):
        service.import_counts(write_csv(tmp_path, *lines))


def test_unreadable_files_are_refused_with_a_message(tmp_path, db, demo, english):
    latin = tmp_path / "counts.csv"
    latin.write_bytes("unit,month,transactions\nNB-HL-TT,2021-01,5 café\n".encode("latin-1"))
    with pytest.raises(ImportFileError, match="UTF-8"):
        service.import_counts(latin)
    with pytest.raises(ImportFileError, match=r"\.txt"):
        service.import_counts(write_csv(tmp_path, "unit,month,transactions", name="counts.txt"))
    with pytest.raises(ImportFileError, match="empty"):
        service.import_counts(write_csv(tmp_path, ""))


# ---- the admin page ---------------------------------------------------------------------------------

def page_url(db, code: str = "NB-HL-TT", year: int = YEAR) -> str:
    return f"/admin/transactions?unit={unit(db, code).id}&year={year}"


def grid(**months: str) -> dict[str, str]:
    data = {f"m{m:02d}": "" for m in range(1, 13)}
    data.update(months)
    return data


def admin_client(client):
    login(client, "admin")
    client.get("/admin/transactions?lang=en")  # remembered by a cookie
    return client


def test_admin_types_a_year_of_counts_and_sees_them_again(client, db, demo):
    admin_client(client)
    page = client.get(page_url(db))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and html.count('name="m') == 12 and "January" in html

    reply = client.post(page_url(db), data={"csrf_token": csrf_token(html),
                                            **grid(m01="310", m02="280", m12="0")})

    assert reply.status_code == 302 and reply.location.endswith(page_url(db))
    assert stored(db, "NB-HL-TT") == {"2021-01": 310, "2021-02": 280, "2021-12": 0}
    again = client.get(reply.location).get_data(as_text=True)
    assert "Saved: 3 months changed." in again
    assert re.search(r'name="m01"[^>]*value="310"', again)
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "transaction_counts_saved")).one()
    assert event.actor_id == db.session.scalar(select(User.id).where(User.username == "admin"))


def test_clearing_a_month_removes_its_count(client, db, demo):
    service.save_months(unit(db, "NB-HL-TT"), {date(YEAR, 1, 1): 310, date(YEAR, 2, 1): 280},
                        actor=None)
    db.session.commit()
    admin_client(client)
    html = client.get(page_url(db)).get_data(as_text=True)

    client.post(page_url(db), data={"csrf_token": csrf_token(html), **grid(m01="310")})

    db.session.expire_all()
    assert stored(db, "NB-HL-TT") == {"2021-01": 310}


def test_invalid_boxes_are_shown_again_as_typed_with_their_errors_and_nothing_is_saved(
        client, db, demo):
    admin_client(client)
    html = client.get(page_url(db)).get_data(as_text=True)

    reply = client.post(page_url(db), data={"csrf_token": csrf_token(html),
                                            **grid(m01="310", m02="abc", m03="-5")})

    page = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert re.search(r'name="m02"[^>]*value="abc"', page)
    assert re.search(r'name="m03"[^>]*value="-5"', page)
    assert re.search(r'name="m01"[^>]*value="310"', page)
    assert "Not a valid integer value." in page
    assert "The number of transactions cannot be negative." in page
    assert page.count('class="err"') == 2
    assert stored(db, "NB-HL-TT") == {}


def test_a_count_for_a_month_not_begun_is_refused_on_the_page(client, db, demo):
    today = service.today_local()
    if today.month == 12:
        pytest.skip("no later month in this year")
    admin_client(client)
    url = page_url(db, year=today.year)
    html = client.get(url).get_data(as_text=True)
    later = f"m{today.month + 1:02d}"
    assert re.search(rf'name="{later}"[^>]*disabled', html) or \
        re.search(rf'disabled[^>]*name="{later}"', html)

    reply = client.post(url, data={"csrf_token": csrf_token(html), later: "5"})

    assert reply.status_code == 400 and "This month has not begun yet." in reply.get_data(
        as_text=True)


def test_the_page_refuses_a_post_without_csrf_and_an_unknown_unit(client, db, demo):
    admin_client(client)
    assert client.post(page_url(db), data=grid(m01="1")).status_code == 400
    html = client.get(page_url(db)).get_data(as_text=True)
    assert client.post("/admin/transactions?unit=999999&year=2021",
                       data={"csrf_token": csrf_token(html), **grid(m01="1")}).status_code == 404
    assert stored(db, "NB-HL-TT") == {}


def test_only_administrators_reach_the_page(client, db, demo):
    login(client, "lanhdao")
    assert client.get("/admin/transactions").status_code == 403
    login(client, "thanhtra")
    assert client.get("/admin/transactions").status_code == 403


def test_the_page_shows_responses_required_sample_and_response_rate_beside_each_month(
        app, client, db, demo):
    counter = first_counter(db)
    for browser in (app.test_client(), app.test_client()):  # one response per browser
        submit_survey(browser, f"/s/{counter.survey_code}", {"overall": "5"})
    this_month = service.today_local().replace(day=1)
    service.save_months(unit(db, "NB-TTHCC"), {this_month: 1000}, actor=None)
    db.session.commit()
    admin_client(client)

    html = client.get(page_url(db, "NB-TTHCC", this_month.year)).get_data(as_text=True)

    row = re.search(rf'<tr><th scope="row"><label for="m{this_month.month:02d}">.*?</tr>',
                    html, re.S).group(0)
    assert [re.sub(r"<[^>]+>|\s", "", cell) for cell in
            re.findall(r'<td class="num">(.*?)</td>', row, re.S)] == ["2", "286*", "0.20%"]


def test_the_province_page_rolls_up_its_sub_units(client, db, counts):
    admin_client(client)
    html = client.get(page_url(db, "NB")).get_data(as_text=True)
    assert "Transactions with sub-units" in html
    january = re.search(r'<label for="m01">.*?</tr>', html, re.S).group(0)
    assert '<td class="num">372</td>' in january


# ---- the admin page's import ------------------------------------------------------------------------

def upload(client, db, content: bytes, name: str = "counts.csv", **extra):
    html = client.get(page_url(db)).get_data(as_text=True)
    return client.post(f"/admin/transactions/import?unit={unit(db, 'NB-HL-TT').id}&year={YEAR}",
                       data={"csrf_token": csrf_token(html), "file": (BytesIO(content), name),
                             **extra}, content_type="multipart/form-data")


def test_upload_imports_the_file_and_returns_to_the_page(client, db, demo):
    admin_client(client)

    reply = upload(client, db, b"unit,month,transactions\nNB-HL-TT,2021-01,310\n")

    assert reply.status_code == 302 and reply.location.endswith(page_url(db))
    assert "Imported 1 monthly counts" in client.get(reply.location).get_data(as_text=True)
    assert stored(db, "NB-HL-TT") == {"2021-01": 310}
    row = db.session.scalars(select(TransactionCount).where(
        TransactionCount.month == date(YEAR, 1, 1))).one()
    assert row.source == "import" and row.updated_by_id is not None


def test_upload_with_errors_lists_row_column_and_message_and_imports_nothing(client, db, demo):
    admin_client(client)

    reply = upload(client, db, "unit,month,transactions\nNB-HL-TT,2021-01,310\n"
                               "NB-HL-TT,tháng 2,280\n".encode())

    html = reply.get_data(as_text=True)
    assert reply.status_code == 400 and "Nothing was imported: 1 rows have errors." in html
    assert re.search(r'<td class="num">3</td><td>month</td><td>“tháng 2” is not a month', html)
    assert stored(db, "NB-HL-TT") == {}


def test_upload_dry_run_reports_and_stores_nothing(client, db, demo):
    admin_client(client)

    reply = upload(client, db, b"unit,month,transactions\nNB-HL-TT,2021-01,310\n", dry_run="y")

    assert reply.status_code == 200
    assert "The file is valid: 1 counts would be stored" in reply.get_data(as_text=True)
    assert stored(db, "NB-HL-TT") == {}


def test_upload_of_a_wrong_file_shows_why(client, db, demo):
    admin_client(client)
    wrong_type = upload(client, db, b"x", name="counts.txt")
    assert wrong_type.status_code == 400
    assert "Choose a .csv or .xlsx file." in wrong_type.get_data(as_text=True)
    no_header = upload(client, db, b"unit,transactions\nNB-HL-TT,5\n")
    assert no_header.status_code == 400
    assert "Required columns are missing: month." in no_header.get_data(as_text=True)


# ---- the command line -------------------------------------------------------------------------------

def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["transactions", *args])


def test_cli_import_prints_json_commits_and_is_idempotent(app, tmp_path, db, demo):
    path = write_csv(tmp_path, "unit,month,transactions", "NB-HL-TT,2021-01,310",
                     "NB-GV-TT,2021-01,62")

    result = run(app, "import", str(path), "--format", "json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"imported": 2, "unchanged": 0, "rejected": 0,
                                         "errors": []}
    db.session.rollback()  # what is left must be committed
    assert stored(db, "NB-HL-TT") == {"2021-01": 310}
    again = run(app, "import", str(path), "--format", "json")
    assert json.loads(again.stdout)["imported"] == 0 and again.exit_code == 0


def test_cli_import_with_errors_exits_1_and_stores_nothing(app, tmp_path, db, demo):
    path = write_csv(tmp_path, "unit,month,transactions", "NB-HL-TT,2021-01,310",
                     "NB-HL-TT,2021-02,many")

    result = run(app, "import", str(path), "--format", "json")

    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["imported"], report["rejected"]) == (0, 1)
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(3, "transactions")]
    db.session.rollback()
    assert stored(db, "NB-HL-TT") == {}


def test_cli_dry_run_stores_nothing(app, tmp_path, db, demo):
    path = write_csv(tmp_path, "unit,month,transactions", "NB-HL-TT,2021-01,310")

    result = run(app, "import", str(path), "--dry-run", "--format", "json")

    assert result.exit_code == 0 and json.loads(result.stdout)["imported"] == 1
    db.session.rollback()
    assert stored(db, "NB-HL-TT") == {}


def test_cli_file_error_is_one_line_on_stderr(app, tmp_path, db, demo):
    result = run(app, "import", str(write_csv(tmp_path, "unit,transactions", "NB-HL-TT,5")))

    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and "month" in result.stderr
    assert "Traceback" not in result.output


def test_cli_row_errors_are_in_vietnamese_by_default(app, tmp_path, db, demo, monkeypatch):
    monkeypatch.delenv("SURVEY_LANG", raising=False)
    path = write_csv(tmp_path, "unit,month,transactions", "NB-NOWHERE,2021-01,5")

    with app.app_context():  # a fresh context: no locale forced, as in a shell
        result = run(app, "import", str(path), "--format", "json")

    message = json.loads(result.stdout)["errors"][0]["message"]
    assert "NB-NOWHERE" in message and message != "Unknown unit code NB-NOWHERE."


def test_cli_list_gives_a_subtree_and_year_as_json_or_a_table(app, db, demo):
    admin = db.session.scalars(select(User).where(User.username == "admin")).one()
    service.set_count(unit(db, "NB-HL-TT"), date(YEAR, 1, 1), 310, actor=admin)
    service.set_count(unit(db, "NB-TTHCC"), date(YEAR, 1, 1), 3000, actor=None)
    db.session.commit()

    result = run(app, "list", "--unit", "NB-HL", "--year", str(YEAR), "--format", "json")

    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert {k: row[k] for k in ("unit", "month", "transactions", "source", "updated_by")} == {
        "unit": "NB-HL-TT", "month": "2021-01", "transactions": 310, "source": "form",
        "updated_by": "admin"}
    table = run(app, "list", "--year", str(YEAR))
    assert table.exit_code == 0 and len(table.stdout.strip().splitlines()) == 2
    assert "NB-TTHCC" in table.stdout and "3000" in table.stdout
    unknown = run(app, "list", "--unit", "NOWHERE")
    assert unknown.exit_code == 1 and unknown.stderr.startswith("error: ")


# ---- the demo --------------------------------------------------------------------------------------

def test_demo_centres_have_counts_for_last_year_and_this_year_to_date(db, demo):
    from survey.services.demo import add_transaction_counts, build_organisation

    today = service.today_local()
    for code in ("NB-TTHCC", "NB-HL-TT", "NB-GV-TT", "NB-TD-TT"):
        assert len(stored(db, code, today.year - 1)) == 12
        assert sorted(stored(db, code, today.year)) == [
            f"{today.year}-{m:02d}" for m in range(1, today.month + 1)]
    assert stored(db, "NB", today.year - 1) == {}  # the province itself handles no dossier
    centre_year = sum(stored(db, "NB-TTHCC", today.year - 1).values())
    assert 30_000 < centre_year < 45_000
    before = db.session.scalar(select(func.count()).select_from(TransactionCount))
    build_organisation()
    assert add_transaction_counts() == 0
    assert db.session.scalar(select(func.count()).select_from(TransactionCount)) == before
