"""Response exports: CSV, XLSX and SAV checked against the database, filters, chunks, round trip."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from sqlalchemy import delete, func, select, update

from survey.models import Answer, Procedure, Response, Unit
from survey.rules.masking import PHONE_TAG
from survey.rules.periods import LOCAL_TZ
from survey.services import exports
from survey.services.demo import add_synthetic_responses
from survey.services.exports import export_responses
from survey.services.org import subtree_ids

N = 40
COMMENT = "Cán bộ nhiệt tình. Gọi tôi: 0912 345 678, hạn 20/12/2026, lệ phí 500.000 đồng."


@pytest.fixture
def data(db, demo):
    """N synthetic responses, none in the future, one with a procedure, a comment and an NA."""
    add_synthetic_responses(N, seed=3)
    now = datetime.now(UTC)
    # Synthetic times are set to 08:00-16:59 of a random past day, which today may be ahead.
    db.session.execute(update(Response).where(Response.submitted_at > now)
                       .values(submitted_at=now - timedelta(hours=1)))
    db.session.execute(update(Response).values(comment=None))  # the demo writes a few itself
    # A SIPAS response: its A1 allows "no opinion", quick's questions do not.
    first = db.session.scalar(select(func.min(Answer.response_id))
                              .where(Answer.question_code == "A1"))
    procedure_id = db.session.scalar(select(Procedure.id).where(Procedure.code == "1.004227"))
    db.session.execute(update(Response).where(Response.id == first)
                       .values(comment=COMMENT, procedure_id=procedure_id))
    db.session.execute(update(Answer).where(Answer.response_id == first,
                                            Answer.question_code == "A1").values(value=None))
    db.session.commit()
    return first


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def answers_of(db, response_id: int) -> dict[str, str]:
    rows = db.session.execute(select(Answer.question_code, Answer.value)
                              .where(Answer.response_id == response_id))
    return {code: "NA" if value is None else str(value) for code, value in rows}


def count_responses(db, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(Response).where(*conditions))


# ---- CSV -----------------------------------------------------------------------------------------

def test_csv_has_a_bom_one_row_per_response_and_the_answers_of_the_database(tmp_path, db, data):
    path = tmp_path / "out.csv"

    assert export_responses("csv", path) == N

    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    frame = read_csv(path)
    assert len(frame) == N == count_responses(db)
    assert list(frame.columns[:8]) == ["response_id", "submitted_at", "unit", "counter",
                                       "procedure", "channel", "questionnaire", "version"]
    assert frame.columns[-1] == "flags" and "comment" not in frame.columns
    # quick's questions first, then sipas' (overall is shared: one column).
    assert list(frame.columns[8:11]) == ["overall", "attitude", "A1"]
    row = frame.set_index("response_id").loc[str(data)]
    stored = db.session.get(Response, data)
    assert row["procedure"] == "1.004227" and row["unit"] == stored.unit.code
    assert row["counter"] == stored.counter.code and row["channel"] == "qr"
    assert row["submitted_at"].endswith("+07:00")
    assert datetime.fromisoformat(row["submitted_at"]) == stored.submitted_at.replace(microsecond=0)
    expected = answers_of(db, data)
    assert expected["A1"] == "NA" and row["A1"] == "NA"
    questions = [column for column in frame.columns[8:-1]]
    assert {code: row[code] for code in questions if row[code]} == expected
    assert row["flags"] == ""


def test_every_row_matches_its_questionnaire_and_answers(tmp_path, db, data):
    path = tmp_path / "out.csv"
    export_responses("csv", path)

    for record in read_csv(path).to_dict("records"):
        answers = {code: value for code, value in record.items()
                   if code not in exports.LEADING + ("flags",) and value}
        assert answers == answers_of(db, int(record["response_id"]))
        stored = db.session.get(Response, int(record["response_id"]))
        assert record["questionnaire"] == stored.questionnaire_version.questionnaire.code


def test_chunks_smaller_than_the_data_give_the_same_file(tmp_path, db, data, monkeypatch):
    calls = []
    original = exports._answers
    monkeypatch.setattr(exports, "_answers", lambda ids: calls.append(len(ids)) or original(ids))
    whole, chunked = tmp_path / "whole.csv", tmp_path / "chunked.csv"

    export_responses("csv", whole)
    calls.clear()
    assert export_responses("csv", chunked, chunk_size=7) == N

    assert calls == [7] * (N // 7) + [N % 7]
    assert chunked.read_bytes() == whole.read_bytes()


def test_comments_are_left_out_by_default_and_masked_when_asked_for(tmp_path, db, data):
    path = tmp_path / "out.csv"

    export_responses("csv", path, include_comments=True, chunk_size=7)

    frame = read_csv(path).set_index("response_id")
    comment = frame.loc[str(data), "comment"]
    assert PHONE_TAG in comment and "0912" not in comment
    assert "20/12/2026" in comment and "500.000 đồng" in comment
    assert (frame.drop(index=str(data))["comment"] == "").all()
    assert list(frame.columns[-2:]) == ["comment", "flags"]


def test_no_personal_or_officer_data_is_exported(tmp_path, db, data):
    path = tmp_path / "out.csv"
    export_responses("csv", path, include_comments=True)

    columns = set(read_csv(path).columns)
    assert not columns & {"officer", "officer_id", "dossier_code", "idempotency_key"}


# ---- filters -------------------------------------------------------------------------------------

def test_date_range_is_inclusive_in_vietnam_time(tmp_path, db, data):
    ids = db.session.scalars(select(Response.id).order_by(Response.id).limit(3)).all()
    db.session.execute(update(Response).where(Response.id.not_in(ids))  # far from the range
                       .values(submitted_at=datetime(2026, 6, 1, 3, tzinfo=UTC)))
    # 23:30 on 1 March in Vietnam is still 1 March; 00:30 on 3 March is after the range.
    moments = [datetime(2026, 3, 1, 23, 30, tzinfo=LOCAL_TZ),
               datetime(2026, 3, 2, 0, 0, tzinfo=LOCAL_TZ),
               datetime(2026, 3, 3, 0, 30, tzinfo=LOCAL_TZ)]
    for response_id, moment in zip(ids, moments, strict=True):
        db.session.execute(update(Response).where(Response.id == response_id)
                           .values(submitted_at=moment.astimezone(UTC)))
    db.session.commit()
    path = tmp_path / "out.csv"

    assert export_responses("csv", path, date_from=date(2026, 3, 1), date_to=date(2026, 3, 2)) == 2

    frame = read_csv(path)
    assert frame["response_id"].tolist() == [str(ids[0]), str(ids[1])]
    assert frame["submitted_at"].tolist() == ["2026-03-01T23:30:00+07:00",
                                              "2026-03-02T00:00:00+07:00"]


def test_unit_filter_takes_the_unit_and_its_subtree(tmp_path, db, data):
    centre = db.session.scalar(select(Unit).where(Unit.code == "NB-TTHCC"))
    province = db.session.scalar(select(Unit).where(Unit.code == "NB"))
    path = tmp_path / "out.csv"

    written = export_responses("csv", path, unit_ids=subtree_ids(centre.id), chunk_size=7)

    expected = count_responses(db, Response.unit_id.in_(subtree_ids(centre.id)))
    assert 0 < written == expected < N
    assert set(read_csv(path)["unit"]) == {"NB-TTHCC"}
    assert export_responses("csv", path, unit_ids=subtree_ids(province.id)) == N


def test_an_empty_selection_writes_just_the_header(tmp_path, db, data):
    path = tmp_path / "out.csv"

    assert export_responses("csv", path, date_from=date(2000, 1, 1), date_to=date(2000, 1, 2)) == 0

    assert path.read_text(encoding="utf-8-sig").splitlines() == [
        ",".join([*exports.LEADING, "flags"])]


# ---- XLSX and SAV --------------------------------------------------------------------------------

def test_xlsx_has_the_responses_and_a_codebook(tmp_path, db, data):
    csv_path, xlsx_path = tmp_path / "out.csv", tmp_path / "out.xlsx"
    export_responses("csv", csv_path)

    assert export_responses("xlsx", xlsx_path, chunk_size=7) == N

    sheets = pd.read_excel(xlsx_path, sheet_name=None, dtype=str, keep_default_na=False)
    assert list(sheets) == ["responses", "codebook"]
    pd.testing.assert_frame_equal(sheets["responses"], read_csv(csv_path))
    codebook = sheets["codebook"].set_index(["questionnaire", "question"])
    overall = codebook.loc[("quick", "overall")]
    assert overall["text_vi"].startswith("Nhìn chung") and overall["text_en"].startswith("Overall")
    assert "5 = Rất hài lòng" in overall["values"]
    assert ("sipas", "A1") in codebook.index and ("sipas", "overall") in codebook.index


def test_sav_has_variable_and_value_labels_and_no_opinion_as_user_missing(tmp_path, db, data):
    path = tmp_path / "out.sav"

    assert export_responses("sav", path, chunk_size=7) == N

    frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    assert len(frame) == N
    labels = meta.column_names_to_labels
    assert labels["overall"].startswith("Nhìn chung")
    assert meta.variable_value_labels["overall"][5.0] == "Rất hài lòng"
    assert meta.variable_value_labels["overall"][99.0] == "Không có ý kiến"
    row = frame.set_index("response_id").loc[float(data)]
    assert row["A1"] == 99 and row["procedure"] == "1.004227"
    assert meta.variable_value_labels["A1"][99.0] == "Không có ý kiến"
    assert meta.missing_ranges["A1"] == [{"lo": 99.0, "hi": 99.0}]
    plain, _meta = pyreadstat.read_sav(str(path))  # user-missing read as missing
    assert pd.isna(plain.set_index("response_id").loc[float(data), "A1"])
    stored = answers_of(db, data)
    for code, value in stored.items():
        if value != "NA":
            assert row[code] == float(value)


def test_sav_names_are_valid_spss_variable_names():
    assert exports._spss_names(["overall", "1a", "q-1", "Q1a"]) == {
        "overall": "overall", "1a": "Q1a", "q-1": "q_1", "Q1a": "Q1a_2"}


# ---- command line --------------------------------------------------------------------------------

def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["responses", *args])


def test_cli_export_then_import_into_an_emptied_database_gives_the_same_file(
        app, tmp_path, db, data):
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"

    result = run(app, "export", "--format", "csv", "--out", str(first))

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"exported {N} responses to {first} (csv)"
    db.session.execute(delete(Answer))
    db.session.execute(delete(Response))
    db.session.commit()
    imported = run(app, "import", str(first), "--format", "json")
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.stdout)["imported"] == N
    assert run(app, "export", "--format", "csv", "--out", str(second)).exit_code == 0
    # The import assigns new ids; everything else comes back as it was. Flags are not data: the
    # anomaly detector, which the import runs, adds them.
    before, after = (read_csv(path).drop(columns=["response_id", "flags"])
                     for path in (first, second))
    pd.testing.assert_frame_equal(before, after)
    again = run(app, "import", str(second), "--format", "json")
    assert json.loads(again.stdout)["skipped_duplicates"] == N


def test_cli_filters_and_prints_json(app, tmp_path, db, data):
    path = tmp_path / "out.xlsx"

    result = run(app, "export", "--format", "xlsx", "--out", str(path), "--unit", "NB-TTHCC",
                 "--from", "2000-01-01", "--to", "2100-12-31", "--comments", "--json")

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    centre = db.session.scalar(select(Unit.id).where(Unit.code == "NB-TTHCC"))
    assert summary["rows"] == count_responses(db, Response.unit_id.in_(subtree_ids(centre)))
    assert summary["format"] == "xlsx" and summary["comments"] is True


@pytest.mark.parametrize(("args", "message"), [
    (["--unit", "NOPE"], "error: no unit with code 'NOPE'"),
    (["--from", "2026-03-02", "--to", "2026-03-01"], "error: --from is after --to"),
    (["--from", "02/03/2026"], "error: --from must be a date like 2027-01-31"),
])
def test_cli_user_errors_exit_1_with_one_line(app, tmp_path, db, demo, args, message):
    result = run(app, "export", "--format", "csv", "--out", str(tmp_path / "x.csv"), *args)

    assert result.exit_code == 1
    assert result.stderr.strip() == message


def test_cli_refuses_a_missing_directory(app, tmp_path, db, demo):
    result = run(app, "export", "--format", "sav", "--out", str(tmp_path / "nope" / "x.sav"))

    assert result.exit_code == 1
    assert result.stderr.startswith("error: no directory") and "\n" not in result.stderr.strip()
