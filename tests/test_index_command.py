"""`survey index` on a real database: JSON keys, groups that add up, local months, versions."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from survey.services.demo import add_synthetic_responses
from survey.services.questionnaires import current_version
from survey.services.responses import Submission, record_response
from tests.conftest import first_counter


def index(app, *args) -> dict:
    result = app.test_cli_runner().invoke(args=["index", *args, "--format", "json"],
                                          catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def answer(db, questionnaire: str, answers: dict, when: datetime, key: str) -> None:
    counter = first_counter(db)
    record_response(Submission(version_id=current_version(questionnaire).id,
                               unit_id=counter.unit_id, counter_id=counter.id, answers=answers,
                               idempotency_key=key, submitted_at=when))


def test_sipas_report_has_the_interface_keys(app, demo, db):
    add_synthetic_responses(400, seed=3)
    db.session.commit()
    report = index(app, "--method", "sipas")
    assert set(report) == {"method", "from", "to", "scope", "n", "index", "ci95", "elements",
                           "warnings"}
    assert [e["code"] for e in report["elements"]] == list("ABCDE")
    assert set(report["elements"][0]) == {"code", "n", "index", "ci95", "criteria"}
    assert [c["code"] for c in report["elements"][0]["criteria"]] == ["A1", "A2", "A3", "A4"]
    assert 0 < report["n"] < 400 and 0 <= report["ci95"][0] < report["index"] < report["ci95"][1]


def test_groups_by_unit_add_up_to_the_whole(app, demo, db):
    add_synthetic_responses(300, seed=4)
    db.session.commit()
    for method in ("satisfaction-rate", "sipas"):
        report = index(app, "--method", method, "--by", "unit")
        assert len(report["groups"]) == 4  # the centre and three communes under the province
        assert sum(g["n"] for g in report["groups"]) == report["n"] > 0
        assert {"NB-TTHCC", "NB-HL"} <= {g["key"]["unit"] for g in report["groups"]}
    commune = index(app, "--unit", "NB-HL", "--by", "counter")
    assert sum(g["n"] for g in commune["groups"]) == commune["n"]


def test_months_are_local_and_versions_combine_by_question_code(app, demo, db):
    # 18:00 UTC on 31 January is 01:00 on 1 February in Vietnam
    answer(db, "quick", {"overall": 5}, datetime(2027, 1, 31, 18, tzinfo=UTC), "t1")
    answer(db, "sipas", {"overall": 2, "A1": 4}, datetime(2027, 1, 31, 10, tzinfo=UTC), "t2")
    answer(db, "quick", {"overall": 4}, datetime(2027, 4, 2, 3, tzinfo=UTC), "t3")
    db.session.commit()
    months = index(app, "--by", "month")
    assert {g["key"]["month"]: g["n"] for g in months["groups"]} == {
        "2027-01": 1, "2027-02": 1, "2027-04": 1}
    quarters = index(app, "--by", "quarter", "--from", "2027-01-01", "--to", "2027-12-31")
    assert {g["key"]["quarter"]: g["index"] for g in quarters["groups"]} == {
        "2027-Q1": 50.0, "2027-Q2": 100.0}  # Q1: a 5 (quick) and a 2 (sipas)
    assert quarters["n"] == 3 and quarters["index"] == round(200 / 3, 2)
    february = index(app, "--from", "2027-02-01", "--to", "2027-02-28")
    assert february["n"] == 1 and february["index"] == 100.0


def test_officer_groups_below_the_minimum_sample_are_suppressed(app, demo, db):
    add_synthetic_responses(40, seed=5)  # spread over 11 counters: no officer reaches 30
    db.session.commit()
    report = index(app, "--by", "officer")
    assert report["groups"] == [] and any("không hiển thị" in w for w in report["warnings"])


def test_decree61_and_qd766_run(app, demo, db):
    answer(db, "decree61", {f"c{i}": 2 for i in range(1, 10)}, datetime(2027, 3, 1, 3, tzinfo=UTC),
           "d1")
    answer(db, "quick", {"overall": 1}, datetime(2027, 3, 1, 3, tzinfo=UTC), "d2")
    db.session.commit()
    decree = index(app, "--method", "decree61")
    assert decree["index"] == 18.0 and decree["n"] == 1 and len(decree["elements"]) == 9
    ratios = index(app, "--method", "qd766")
    procedures = {e["code"]: e for e in ratios["elements"]}["procedure_satisfaction"]
    assert (procedures["n"], procedures["index"]) == (1, 0.0)  # the one overall answer is a 1
    assert {e["code"] for e in ratios["elements"]} == {
        "on_time", "feedback_satisfaction", "procedure_satisfaction"}


def test_csv_and_table_formats(app, demo, db):
    add_synthetic_responses(60, seed=6)
    db.session.commit()
    runner = app.test_cli_runner()
    csv_out = runner.invoke(args=["index", "--method", "sipas", "--by", "channel",
                                  "--format", "csv"]).output.splitlines()
    assert csv_out[0] == ("method,from,to,unit,channel,n,index,ci95_low,ci95_high,A,B,C,D,E")
    assert csv_out[1].startswith("sipas,,,,qr,")
    table = runner.invoke(args=["index", "--method", "sipas", "--format", "table"]).output
    assert table.startswith("sipas: n=") and "A1:" in table


def test_compare_tests_the_change_and_gives_a_verdict(app, demo, db):
    for i in range(200):  # 2026: 60% satisfied; 2027: 80%
        answer(db, "quick", {"overall": 5 if i < 120 else 2},
               datetime(2026, 3, 2, 3, tzinfo=UTC), f"before-{i}")
        answer(db, "quick", {"overall": 5 if i < 160 else 2},
               datetime(2027, 3, 2, 3, tzinfo=UTC), f"after-{i}")
    db.session.commit()
    report = index(app, "--from", "2027-01-01", "--to", "2027-12-31", "--compare", "last-year")
    comparison = report["comparison"]
    assert (comparison["from"], comparison["to"]) == ("2026-01-01", "2026-12-31")
    overall = comparison["rows"][0]
    assert overall["before"]["index"] == 60.0 and overall["after"]["index"] == 80.0
    assert overall["difference"] == 20.0 and overall["verdict"] == "higher"
    # pooled two-proportion z for 120/200 against 160/200: 0.2 / sqrt(0.7·0.3·0.01) = 4.364
    assert abs(overall["z"] - 4.364) < 0.001
    assert overall["verdict_text"]  # a sentence, as text


def test_compare_needs_a_closed_period(app, demo):
    result = app.test_cli_runner().invoke(args=["index", "--compare", "previous"])
    assert result.exit_code == 1 and "--from" in result.output


def test_without_excluded_leaves_excluded_responses_out(app, demo, db):
    from sqlalchemy import select

    from survey.models import Response, ResponseExclusion

    for i in range(4):
        answer(db, "quick", {"overall": 5 if i else 1}, datetime(2027, 3, 2, 3, tzinfo=UTC),
               f"r{i}")
    db.session.commit()
    worst = db.session.scalar(select(Response.id).where(Response.idempotency_key == "r0"))
    db.session.add(ResponseExclusion(response_id=worst, reason="thử"))
    db.session.commit()
    assert index(app)["index"] == 75.0 and index(app)["n"] == 4
    without = index(app, "--without-excluded")
    assert without["index"] == 100.0 and without["n"] == 3
