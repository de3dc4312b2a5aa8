"""The `survey` command line: JSON output, exit codes, QR files that decode, versioned loads."""

import json
from pathlib import Path

import pypdfium2
import yaml
import zxingcpp
from PIL import Image
from sqlalchemy import func, select

from survey.models import QuestionnaireVersion, Response, User
from survey.services.demo import add_synthetic_responses
from survey.services.questionnaires import BUILTIN_DIR
from tests.conftest import first_counter, login, submit_survey


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input, catch_exceptions=False)


def test_counters_list_gives_code_name_unit_and_url(app, demo, db):
    result = run(app, "counters", "list", "--format", "json")
    rows = json.loads(result.output)
    counter = first_counter(db)
    assert result.exit_code == 0 and len(rows) == 11
    mine = next(r for r in rows if r["code"] == counter.code)
    assert mine == {"code": counter.code, "name": counter.name, "unit": counter.unit.code,
                    "url": f"http://survey.test/s/{counter.survey_code}"}


def test_qr_png_decodes_to_the_counter_url(app, demo, db, tmp_path):
    counter = first_counter(db)
    out = tmp_path / "qr.png"
    assert run(app, "qr", counter.code, "--out", str(out)).exit_code == 0
    [code] = zxingcpp.read_barcodes(Image.open(out))
    assert code.text == f"http://survey.test/s/{counter.survey_code}"
    assert code.format == zxingcpp.BarcodeFormat.QRCode
    assert code.ec_level in ("M", "Q", "H")


def test_qr_svg_is_written_for_an_svg_file(app, demo, db, tmp_path):
    out = tmp_path / "qr.svg"
    assert run(app, "qr", first_counter(db).code, "--out", str(out)).exit_code == 0
    assert out.read_text().startswith("<?xml") or "<svg" in out.read_text()[:200]


def test_posters_for_every_counter_of_a_unit(app, demo, tmp_path):
    out = tmp_path / "posters.pdf"
    result = run(app, "qr", "--unit", "NB-TTHCC", "--poster", "--out", str(out))
    assert result.exit_code == 0
    assert len(pypdfium2.PdfDocument(out.read_bytes())) == 5  # the centre's five counters


def test_user_errors_are_one_line_on_stderr_with_exit_status_1(app, demo, tmp_path):
    result = app.test_cli_runner().invoke(args=["qr", "NO-SUCH", "--out", str(tmp_path / "x.png")])
    assert result.exit_code == 1
    assert result.output.strip() == "error: no counter with code 'NO-SUCH'"
    wrong = app.test_cli_runner().invoke(args=["qr", "NB-Q01", "--out", str(tmp_path / "x.gif")])
    assert wrong.exit_code == 1 and "Traceback" not in wrong.output


def test_users_create_reads_the_password_from_stdin_and_the_login_works(app, demo, db):
    result = run(app, "users", "create", "thanhtra2", "--role", "inspector", "--unit", "NB",
                 "--password-stdin", input="a-long-secret-1\n")
    assert result.exit_code == 0
    user = db.session.scalars(select(User).where(User.username == "thanhtra2")).one()
    assert user.role.value == "inspector" and user.password_hash.startswith("$argon2")
    client = app.test_client()
    login(client, "thanhtra2", "a-long-secret-1")
    assert client.get("/account").status_code == 200


def test_users_create_refuses_a_short_password(app, demo):
    result = app.test_cli_runner().invoke(args=["users", "create", "x1", "--role", "officer",
                                                "--unit", "NB", "--password-stdin"], input="short\n")
    assert result.exit_code == 1 and "error:" in result.output


def test_reloading_an_unchanged_questionnaire_changes_nothing(app, demo):
    result = run(app, "questionnaires", "load", str(BUILTIN_DIR / "quick.yaml"), "--format", "json")
    assert json.loads(result.output) == {"code": "quick", "version": 1, "outcome": "unchanged"}


def changed_quick(tmp_path: Path) -> Path:
    data = yaml.safe_load((BUILTIN_DIR / "quick.yaml").read_text(encoding="utf-8"))
    data["questions"][1]["text"]["vi"] = "Công chức có lịch sự không?"
    path = tmp_path / "quick.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_changed_questionnaire_without_answers_is_updated_in_place(app, demo, db, tmp_path):
    result = run(app, "questionnaires", "load", str(changed_quick(tmp_path)), "--format", "json")
    assert json.loads(result.output)["outcome"] == "updated"
    assert db.session.scalar(select(func.count(QuestionnaireVersion.id))
                             .where(QuestionnaireVersion.questionnaire.has(code="quick"))) == 1


def test_a_changed_questionnaire_with_answers_becomes_a_new_version(app, demo, db, tmp_path):
    counter = first_counter(db)
    assert submit_survey(app.test_client(), f"/s/{counter.survey_code}", {"overall": "4"}).status_code == 302
    result = run(app, "questionnaires", "load", str(changed_quick(tmp_path)), "--format", "json")
    assert json.loads(result.output) == {"code": "quick", "version": 2, "outcome": "new-version"}
    old = db.session.scalars(select(Response)).one()
    assert old.questionnaire_version.version == 1  # old answers keep their version
    page = app.test_client().get(f"/s/{counter.survey_code}").get_data(as_text=True)
    assert "Công chức có lịch sự không?" in page


def test_an_invalid_questionnaire_file_is_refused_with_where_and_why(app, demo, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("code: bad\ntitle: {vi: Phiếu}\nscales: {}\nquestions: []\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["questionnaires", "load", str(bad)])
    assert result.exit_code == 1
    assert "title" in result.output and "scales" in result.output and "questions" in result.output


def test_questionnaires_list_in_json(app, demo):
    rows = json.loads(run(app, "questionnaires", "list", "--format", "json").output)
    assert {r["code"]: r["questions"] for r in rows} == {"decree61": 9, "quick": 2, "sipas": 23}


def test_index_satisfaction_rate_matches_a_count_by_hand(app, demo, db):
    add_synthetic_responses(400, seed=7)
    db.session.commit()
    from survey.models import Answer

    overall = list(db.session.scalars(select(Answer.value).where(Answer.question_code == "overall")))
    satisfied = sum(1 for v in overall if v >= 4)
    result = json.loads(run(app, "index", "--method", "satisfaction-rate", "--format", "json").output)
    # Decree 61 forms (a few of the demo's answers) have no overall question.
    assert result["n"] == len(overall) and 300 < len(overall) <= 400
    assert result["index"] == round(100 * satisfied / len(overall), 2)
    low, high = result["ci95"]
    assert low < result["index"] < high


def test_index_limited_to_a_unit_subtree_and_dates(app, demo, db):
    add_synthetic_responses(300, seed=8)
    db.session.commit()
    whole = json.loads(run(app, "index", "--format", "json").output)
    commune = json.loads(run(app, "index", "--unit", "NB-HL", "--format", "json").output)
    empty = json.loads(run(app, "index", "--from", "2001-01-01", "--to", "2001-12-31",
                           "--format", "json").output)
    assert 0 < commune["n"] < whole["n"]
    assert commune["scope"] == {"unit": "NB-HL"}
    assert empty["n"] == 0 and empty["index"] is None and empty["warnings"]


def test_index_refuses_a_bad_date(app, demo):
    result = app.test_cli_runner().invoke(args=["index", "--from", "31/12/2027"])
    assert result.exit_code == 1 and "--from" in result.output


def test_demo_is_idempotent(app, db):
    assert run(app, "demo").exit_code == 0
    users = db.session.scalar(select(func.count(User.id)))
    assert run(app, "demo", "--responses", "50", "--seed", "2").exit_code == 0
    assert run(app, "demo", "--responses", "50", "--seed", "2").exit_code == 0
    assert db.session.scalar(select(func.count(User.id))) == users
    assert db.session.scalar(select(func.count(Response.id))) == 50


def test_demo_logins_it_prints_work(app, db):
    output = json.loads(run(app, "demo", "--format", "json").output)
    roles = {login_["role"] for login_ in output["logins"]}
    assert roles == {"officer", "leader", "inspector", "custodian", "admin"}
    admin = next(x for x in output["logins"] if x["role"] == "admin")
    client = app.test_client()
    login(client, admin["username"], admin["password"])
    assert client.get("/admin/").status_code == 200
    assert output["survey_url"].startswith("http://survey.test/s/")


def test_demo_gives_every_desk_cases_in_every_state(app, db):
    from survey.models import Case, CaseState

    assert run(app, "demo").exit_code == 0
    cases = db.session.scalars(select(Case).order_by(Case.id)).all()
    assert {c.state for c in cases} == set(CaseState)
    assert {c.kind.value for c in cases} == {"feedback", "complaint", "denunciation"}
    for case in cases:
        assert case.accused_user_id is None or case.assignee_id != case.accused_user_id
    check = run(app, "cases", "check", "--format", "json")
    assert check.exit_code == 0 and json.loads(check.output)["off_desk"] == []
