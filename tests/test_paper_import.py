"""Paper survey forms imported from CSV and XLSX: checked row by row, stored all or none, once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from survey.models import Answer, Channel, Counter, Procedure, Response, Unit
from survey.rules.periods import LOCAL_TZ
from survey.services.paper_import import ImportFileError, import_responses, parse_submitted_at

QUICK_HEADER = "submitted_at,unit,counter,procedure,channel,overall,attitude,comment"
SIPAS_HEADER = "submitted_at,unit,counter,A1,A2,A3,overall"


@pytest.fixture(autouse=True)
def english(app):
    """Pin the messages to their English source text, which the assertions quote."""
    with force_locale("en"):
        yield


def write_csv(tmp_path: Path, *lines: str, bom: bool = False, newline: str = "\n",
              name: str = "forms.csv") -> Path:
    path = tmp_path / name
    text = ("\ufeff" if bom else "") + newline.join(lines) + newline
    path.write_bytes(text.encode("utf-8"))
    return path


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def stored_answers(db) -> list[tuple[str, int | None]]:
    return sorted(db.session.execute(select(Answer.question_code, Answer.value)),
                  key=lambda item: (item[0], item[1] is None, item[1] or 0))


def by_code(db, model, code: str):
    return db.session.scalar(select(model).where(model.code == code))


# ---- reading the file ----------------------------------------------------------------------------

def test_csv_row_is_stored_with_its_unit_counter_procedure_channel_answers_and_comment(
        tmp_path, db, demo):
    path = write_csv(tmp_path, QUICK_HEADER,
                     "2026-03-02T09:30,NB-TTHCC,NB-Q01,1.004227,,4,5,Cán bộ nhiệt tình")

    report = import_responses(path)

    assert report == {"imported": 1, "skipped_duplicates": 0, "rejected": 0, "errors": []}
    response = db.session.scalar(select(Response))
    assert response.unit_id == by_code(db, Unit, "NB-TTHCC").id
    assert response.counter_id == by_code(db, Counter, "NB-Q01").id
    assert response.procedure_id == by_code(db, Procedure, "1.004227").id
    assert response.channel == Channel.PAPER
    assert response.officer_id is None  # a paper form does not say who served
    assert response.comment == "Cán bộ nhiệt tình"
    assert response.questionnaire_version.questionnaire.code == "quick"
    assert response.submitted_at == datetime(2026, 3, 2, 2, 30, tzinfo=UTC)
    assert stored_answers(db) == [("attitude", 5), ("overall", 4)]


def test_csv_utf8_with_a_byte_order_mark_from_excel_reads_its_first_column(tmp_path, db, demo):
    # Excel's "CSV UTF-8" starts with a BOM and ends lines with CRLF.
    path = write_csv(tmp_path, "submitted_at,unit,overall", "2026-03-02,NB-TTHCC,5", bom=True,
                     newline="\r\n")

    report = import_responses(path)

    assert report["imported"] == 1 and report["errors"] == []
    assert db.session.scalar(select(Response.submitted_at)) == datetime(2026, 3, 2, 5, tzinfo=UTC)


def test_semicolon_separated_csv_from_a_vietnamese_excel_is_read(tmp_path, db, demo):
    path = write_csv(tmp_path, "submitted_at;unit;overall;comment", "2026-03-02;NB-TTHCC;3;a, b")

    assert import_responses(path)["imported"] == 1
    assert db.session.scalar(select(Response.comment)) == "a, b"


def test_xlsx_with_date_cells_and_numbers_imports_like_csv(tmp_path, db, demo):
    path = tmp_path / "forms.xlsx"
    pd.DataFrame({
        "submitted_at": [datetime(2026, 3, 2), datetime(2026, 3, 3, 14, 0)],
        "unit": ["NB-TTHCC", "NB-TTHCC"], "counter": ["NB-Q02", None],
        "A1": [4, "NA"], "A2": [5.0, None], "overall": [4, 2],
    }).to_excel(path, index=False)

    report = import_responses(path)

    assert report == {"imported": 2, "skipped_duplicates": 0, "rejected": 0, "errors": []}
    times = sorted(db.session.scalars(select(Response.submitted_at)))
    # A date cell (no time) is local noon; 14:00 in Vietnam is 07:00 UTC.
    assert times == [datetime(2026, 3, 2, 5, tzinfo=UTC), datetime(2026, 3, 3, 7, tzinfo=UTC)]
    assert stored_answers(db) == [("A1", 4), ("A1", None), ("A2", 5), ("overall", 2),
                                  ("overall", 4)]
    responses = db.session.scalars(select(Response))
    assert {r.questionnaire_version.questionnaire.code for r in responses} == {"sipas"}


def test_the_same_forms_as_csv_and_as_xlsx_count_as_duplicates(tmp_path, db, demo):
    csv_path = write_csv(tmp_path, "submitted_at,unit,overall,attitude", "2026-03-02,NB-TTHCC,4,")
    xlsx_path = tmp_path / "forms.xlsx"
    pd.DataFrame({"submitted_at": [datetime(2026, 3, 2)], "unit": ["NB-TTHCC"],
                  "overall": [4.0], "attitude": [None]}).to_excel(xlsx_path, index=False)

    assert import_responses(csv_path)["imported"] == 1
    report = import_responses(xlsx_path)

    assert (report["imported"], report["skipped_duplicates"]) == (0, 1)
    assert count(db, Response) == 1


def test_blank_rows_are_skipped_and_row_numbers_still_match_the_spreadsheet(tmp_path, db, demo):
    path = write_csv(tmp_path, "submitted_at,unit,overall", "2026-03-02,NB-TTHCC,4", "", ",,",
                     "2026-03-02,NB-TTHCC,9")

    report = import_responses(path, skip_invalid=True)

    assert (report["imported"], report["rejected"]) == (1, 1)
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(5, "overall")]


def test_export_columns_are_accepted_and_ignored(tmp_path, db, demo):
    path = write_csv(tmp_path, "response_id,questionnaire,version,flags,submitted_at,unit,overall",
                     "981,quick,3,speeding,2026-03-02,NB-TTHCC,5")

    assert import_responses(path)["imported"] == 1
    assert db.session.scalar(select(Response.id)) != 981
    assert stored_answers(db) == [("overall", 5)]


def test_questionnaire_column_picks_each_rows_questionnaire_in_a_mixed_export(tmp_path, db, demo):
    path = write_csv(tmp_path, "questionnaire,submitted_at,unit,A1,overall,attitude",
                     "quick,2026-03-02,NB-TTHCC,,4,5", "sipas,2026-03-02,NB-TTHCC,3,4,")

    assert import_responses(path)["imported"] == 2
    answered = {response.questionnaire_version.questionnaire.code:
                sorted(answer.question_code for answer in response.answers)
                for response in db.session.scalars(select(Response))}
    assert answered == {"quick": ["attitude", "overall"], "sipas": ["A1", "overall"]}


def test_answer_to_another_questionnaires_question_is_a_row_error(tmp_path, db, demo):
    path = write_csv(tmp_path, "questionnaire,submitted_at,unit,A1,overall",
                     "quick,2026-03-02,NB-TTHCC,3,4")

    report = import_responses(path)

    assert report["rejected"] == 1
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(2, "A1")]


def test_chosen_questionnaire_refuses_a_row_marked_for_another(tmp_path, db, demo):
    path = write_csv(tmp_path, "questionnaire,submitted_at,unit,overall",
                     "sipas,2026-03-02,NB-TTHCC,4", ",2026-03-02,NB-TTHCC,4")

    report = import_responses(path, questionnaire_code="quick")

    assert report["rejected"] == 1
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(2, "questionnaire")]


def test_header_with_only_overall_defaults_to_the_quick_questionnaire(tmp_path, db, demo):
    path = write_csv(tmp_path, "submitted_at,unit,overall", "2026-03-02,NB-TTHCC,4")

    import_responses(path)

    response = db.session.scalar(select(Response))
    assert response.questionnaire_version.questionnaire.code == "quick"


# ---- file errors ---------------------------------------------------------------------------------

def test_missing_required_column_raises_import_file_error_naming_it(tmp_path, db, demo):
    path = write_csv(tmp_path, "unit,overall", "NB-TTHCC,4")

    with pytest.raises(ImportFileError, match="submitted_at"):
        import_responses(path)


def test_unknown_column_raises_import_file_error_naming_it(tmp_path, db, demo):
    path = write_csv(tmp_path, "submitted_at,unit,overall,Z9", "2026-03-02,NB-TTHCC,4,1")

    with pytest.raises(ImportFileError, match="Z9"):
        import_responses(path)
    assert count(db, Response) == 0


def test_missing_column_of_a_required_question_is_a_file_error(tmp_path, db, demo):
    path = write_csv(tmp_path, "submitted_at,unit,attitude", "2026-03-02,NB-TTHCC,4")

    with pytest.raises(ImportFileError, match="overall"):
        import_responses(path)


@pytest.mark.parametrize(("name", "content", "match"), [
    ("forms.xls", b"submitted_at,unit\n", r"\.xls"),
    ("forms.xlsx", b"this is not a workbook", "cannot be read"),
    ("forms.csv", b"", "empty"),
    ("forms.csv", "submitted_at,unit,overall\n2026-03-02,Hà,4\n".encode("cp1258"), "UTF-8"),
    ("forms.csv", b"submitted_at,unit,overall,overall\n2026-03-02,NB-TTHCC,4,4\n", "overall"),
    ("forms.csv", b"submitted_at,unit,overall,\n2026-03-02,NB-TTHCC,4,x\n", "Column 4 "),
])
def test_unreadable_files_raise_import_file_error(tmp_path, db, demo, name, content, match):
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(ImportFileError, match=match):
        import_responses(path)


def test_unknown_questionnaire_option_is_a_file_error(tmp_path, db, demo):
    path = write_csv(tmp_path, "submitted_at,unit,overall", "2026-03-02,NB-TTHCC,4")

    with pytest.raises(ImportFileError, match="nosuch"):
        import_responses(path, questionnaire_code="nosuch")


# ---- row errors ----------------------------------------------------------------------------------

def test_error_gives_the_spreadsheet_row_and_question_column(tmp_path, db, demo):
    path = write_csv(tmp_path, SIPAS_HEADER, "2026-03-02,NB-TTHCC,,4,5,NA,4",
                     "2026-03-02,NB-TTHCC,,5,5,5,5", "2026-03-03,NB-TTHCC,,3,3,7,3")

    report = import_responses(path)

    assert report["rejected"] == 1
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(4, "A3")]
    assert "1, 2, 3, 4, 5" in report["errors"][0]["message"]
    assert all(type(e["message"]) is str for e in report["errors"])


def test_unknown_unit_is_a_row_error(tmp_path, db, demo):
    path = write_csv(tmp_path, "submitted_at,unit,overall", "2026-03-02,NB-NOWHERE,4")

    report = import_responses(path)

    assert report["errors"] == [{"row": 2, "column": "unit",
                                 "message": "Unknown unit code NB-NOWHERE."}]


def test_counter_of_another_unit_is_a_row_error(tmp_path, db, demo):
    path = write_csv(tmp_path, "submitted_at,unit,counter,overall",
                     "2026-03-02,NB-TTHCC,NB-HL-Q1,4")

    report = import_responses(path)

    assert report["rejected"] == 1
    assert report["errors"] == [{"row": 2, "column": "counter", "message":
                                 "Counter NB-HL-Q1 does not belong to unit NB-TTHCC."}]


@pytest.mark.parametrize(("column", "value"), [
    ("procedure", "9.999999"), ("channel", "fax"), ("counter", "NB-Q99"),
])
def test_unknown_procedure_channel_or_counter_is_a_row_error(tmp_path, db, demo, column, value):
    cells = {"procedure": "", "channel": "", "counter": "", column: value}
    path = write_csv(tmp_path, "submitted_at,unit,counter,procedure,channel,overall",
                     f"2026-03-02,NB-TTHCC,{cells['counter']},{cells['procedure']},"
                     f"{cells['channel']},4")

    report = import_responses(path)

    assert [(e["row"], e["column"]) for e in report["errors"]] == [(2, column)]
    assert value in report["errors"][0]["message"]


@pytest.mark.parametrize(("value", "words"), [
    ("2999-01-01", "future"), ("2999-01-01T08:00+07:00", "future"),
    ("02/03/2026", "YYYY-MM-DD"), ("yesterday", "YYYY-MM-DD"), ("", "missing"),
])
def test_future_unparseable_and_missing_dates_are_row_errors(tmp_path, db, demo, value, words):
    path = write_csv(tmp_path, "submitted_at,unit,overall", f"{value},NB-TTHCC,4")

    report = import_responses(path)

    assert report["rejected"] == 1
    assert report["errors"][0]["column"] == "submitted_at"
    assert words in report["errors"][0]["message"]


def test_todays_date_is_accepted_even_before_local_noon():
    now = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam

    assert parse_submitted_at("2026-03-02", now) == datetime(2026, 3, 2, 5, tzinfo=UTC)
    with pytest.raises(ValueError, match="future"):
        parse_submitted_at("2026-03-02T09:00", now)


def test_dates_with_an_offset_keep_it_and_without_one_are_vietnam_time():
    now = datetime(2026, 11, 1, tzinfo=UTC)

    assert parse_submitted_at("2026-03-02T09:00:00Z", now) == datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert parse_submitted_at("2026-03-02 09:00", now) == datetime(2026, 3, 2, 2, tzinfo=UTC)
    assert parse_submitted_at("2026-03-02T00:00:00", now).astimezone(LOCAL_TZ).hour == 12


def test_no_opinion_is_stored_as_a_null_value_and_empty_as_no_answer(tmp_path, db, demo):
    path = write_csv(tmp_path, SIPAS_HEADER, "2026-03-02,NB-TTHCC,,NA,na,,4")

    import_responses(path)

    assert stored_answers(db) == [("A1", None), ("A2", None), ("overall", 4)]


def test_no_opinion_where_the_question_forbids_it_is_a_row_error(tmp_path, db, demo):
    path = write_csv(tmp_path, "submitted_at,unit,overall", "2026-03-02,NB-TTHCC,NA")

    report = import_responses(path)

    assert [(e["row"], e["column"]) for e in report["errors"]] == [(2, "overall")]


# ---- all or nothing, dry run, duplicates ---------------------------------------------------------

def mixed_file(tmp_path: Path) -> Path:
    return write_csv(tmp_path, QUICK_HEADER, "2026-03-02,NB-TTHCC,NB-Q01,,,5,,",
                     "2026-03-02,NB-TTHCC,NB-Q01,,,6,,", "2026-03-03,NB-GV-TT,NB-GV-Q1,,kiosk,4,4,",
                     "2026-03-04,NB-XX,,,,4,,")


def test_one_invalid_row_imports_nothing_by_default(tmp_path, db, demo):
    report = import_responses(mixed_file(tmp_path))

    assert (report["imported"], report["skipped_duplicates"], report["rejected"]) == (0, 0, 2)
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(3, "overall"), (5, "unit")]
    assert count(db, Response) == 0 and count(db, Answer) == 0


def test_skip_invalid_stores_the_valid_rows_and_reports_the_invalid_ones(tmp_path, db, demo):
    report = import_responses(mixed_file(tmp_path), skip_invalid=True)

    assert (report["imported"], report["skipped_duplicates"], report["rejected"]) == (2, 0, 2)
    assert [e["row"] for e in report["errors"]] == [3, 5]
    assert sorted(db.session.scalars(select(Response.channel))) == [Channel.KIOSK, Channel.PAPER]
    assert count(db, Answer) == 3


def test_dry_run_counts_what_would_be_imported_and_stores_nothing(tmp_path, db, demo):
    report = import_responses(mixed_file(tmp_path), dry_run=True, skip_invalid=True)

    assert (report["imported"], report["rejected"]) == (2, 2)
    assert count(db, Response) == 0


def test_dry_run_of_a_file_with_invalid_rows_would_import_nothing(tmp_path, db, demo):
    report = import_responses(mixed_file(tmp_path), dry_run=True)

    assert (report["imported"], report["rejected"]) == (0, 2)
    assert count(db, Response) == 0


def test_importing_the_same_file_twice_imports_nothing_the_second_time(tmp_path, db, demo):
    path = write_csv(tmp_path, SIPAS_HEADER, "2026-03-02,NB-TTHCC,NB-Q01,4,5,NA,4",
                     "2026-03-02T10:15,NB-TTHCC,,5,5,5,5", "2026-03-03,NB-HL-TT,NB-HL-Q2,3,3,,3")
    assert import_responses(path)["imported"] == 3
    db.session.commit()

    report = import_responses(path)

    assert report == {"imported": 0, "skipped_duplicates": 3, "rejected": 0, "errors": []}
    assert count(db, Response) == 3 and count(db, Answer) == 11


def test_identical_rows_in_one_file_are_two_respondents_imported_once_each(tmp_path, db, demo):
    row = "2026-03-02,NB-TTHCC,NB-Q01,,,5,4,"
    path = write_csv(tmp_path, QUICK_HEADER, row, row)

    assert import_responses(path)["imported"] == 2
    db.session.commit()
    again = import_responses(path)

    assert (again["imported"], again["skipped_duplicates"]) == (0, 2)
    assert count(db, Response) == 2
    keys = list(db.session.scalars(select(Response.idempotency_key)))
    assert all(key.startswith("paper:") and len(key) <= 80 for key in keys)


def test_a_third_copy_of_a_form_imports_after_two_were_imported(tmp_path, db, demo):
    row = "2026-03-02,NB-TTHCC,NB-Q01,,,5,4,"
    import_responses(write_csv(tmp_path, QUICK_HEADER, row, row, name="first.csv"))
    db.session.commit()

    report = import_responses(write_csv(tmp_path, QUICK_HEADER, row, row, row, name="more.csv"))

    assert (report["imported"], report["skipped_duplicates"]) == (1, 2)
    assert count(db, Response) == 3


def test_rows_past_one_insert_batch_keep_their_own_answers(tmp_path, db, demo):
    lines = [f"2026-03-02T08:{i % 60:02d},NB-TTHCC,NB-Q03,,,{1 + i % 5},," for i in range(1203)]
    path = write_csv(tmp_path, QUICK_HEADER, *lines)

    assert import_responses(path)["imported"] == 1203
    pairs = db.session.execute(select(Response.submitted_at, Answer.value).join(Answer)).all()
    assert len(pairs) == 1203
    # Each row's answer follows from its minute: a mix-up between batches would break that.
    assert all(value == 1 + moment.minute % 5 for moment, value in pairs)


# ---- the command line ----------------------------------------------------------------------------

def run_import(app, path: Path, *options: str):
    return app.test_cli_runner().invoke(
        args=["responses", "import", str(path), "--format", "json", *options])


def test_cli_imports_and_commits_with_exit_status_0(app, tmp_path, db, demo):
    path = write_csv(tmp_path, "submitted_at,unit,overall", "2026-03-02,NB-TTHCC,4",
                     "2026-03-03,NB-TTHCC,5")

    result = run_import(app, path)

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"imported": 2, "skipped_duplicates": 0, "rejected": 0,
                                         "errors": []}
    db.session.rollback()  # what is left must be committed
    assert count(db, Response) == 2
    again = run_import(app, path)
    assert again.exit_code == 0
    assert json.loads(again.stdout)["skipped_duplicates"] == 2


def test_cli_exits_1_on_rejected_rows_and_stores_nothing(app, tmp_path, db, demo):
    result = run_import(app, mixed_file(tmp_path))

    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["imported"], report["rejected"]) == (0, 2)
    assert report["errors"][0] == {"row": 3, "column": "overall",
                                   "message": "The answer must be one of 1, 2, 3, 4, 5."}
    assert count(db, Response) == 0


def test_cli_with_skip_invalid_commits_the_valid_rows_and_exits_0(app, tmp_path, db, demo):
    result = run_import(app, mixed_file(tmp_path), "--skip-invalid")

    assert result.exit_code == 0
    assert json.loads(result.stdout)["imported"] == 2
    db.session.rollback()
    assert count(db, Response) == 2


def test_cli_dry_run_stores_nothing(app, tmp_path, db, demo):
    path = write_csv(tmp_path, "submitted_at,unit,overall", "2026-03-02,NB-TTHCC,4")

    result = run_import(app, path, "--dry-run")

    assert result.exit_code == 0
    assert json.loads(result.stdout)["imported"] == 1
    assert count(db, Response) == 0


def test_cli_reports_a_file_error_in_one_line_without_a_traceback(app, tmp_path, db, demo):
    path = write_csv(tmp_path, "unit,overall", "NB-TTHCC,4")

    result = run_import(app, path)

    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and "submitted_at" in result.stderr
    assert "Traceback" not in result.output


def test_cli_messages_are_in_vietnamese_by_default(app, tmp_path, db, demo, monkeypatch):
    monkeypatch.delenv("SURVEY_LANG", raising=False)
    path = write_csv(tmp_path, "submitted_at,unit,overall", "2026-03-02,NB-NOWHERE,4")

    with app.app_context():  # a fresh context: no locale forced, as in a shell
        result = run_import(app, path)

    message = json.loads(result.stdout)["errors"][0]["message"]
    assert "NB-NOWHERE" in message and message != "Unknown unit code NB-NOWHERE."


def test_a_date_an_hour_ago_in_vietnam_is_accepted(tmp_path, db, demo):
    moment = (datetime.now(UTC) - timedelta(hours=1)).astimezone(LOCAL_TZ).replace(tzinfo=None)
    path = write_csv(tmp_path, "submitted_at,unit,overall",
                     f"{moment.isoformat(timespec='minutes')},NB-TTHCC,4")

    assert import_responses(path)["imported"] == 1
