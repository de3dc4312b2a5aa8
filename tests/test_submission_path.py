"""The submission's short way (one checked INSERT) and its CSRF cookie: same outcomes as the long way.

Once a process has read a questionnaire's current version, a plain submission is stored by one
statement that checks the counter, the version and the procedure itself; every case where a check
fails must end exactly as the long way (look-ups first) ends it.
"""

import dataclasses
import re
from datetime import UTC, datetime

from sqlalchemy import event, func, select

from survey.extensions import db as _db
from survey.models import Procedure, QuestionnaireVersion, Response
from survey.rules.questionnaire_spec import Definition
from survey.rules.specs import Bilingual
from survey.services import questionnaires
from survey.services.org import regenerate_survey_code
from survey.web.logs import JsonFormatter
from survey.web.survey_csrf import COOKIE, SECURE_COOKIE
from tests.conftest import first_counter, form_fields


def response_count(db) -> int:
    return db.session.scalar(select(func.count(Response.id)))


def open_form(client, path: str) -> dict[str, str]:
    page = client.get(path)
    assert page.status_code == 200
    return form_fields(page.get_data(as_text=True))


def statements_of(app, action) -> list[str]:
    sent: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        sent.append(" ".join(statement.split()))

    engine = _db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        result = action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return result, sent


def test_plain_submission_is_stored_without_a_separate_look_up(app, client, demo, db):
    code = first_counter(db).survey_code
    data = open_form(client, f"/s/{code}") | {"q_overall": "4"}
    reply, sent = statements_of(app, lambda: client.post(f"/s/{code}", data=data))
    assert reply.status_code == 302 and response_count(db) == 1
    assert sent and sent[0].startswith(("INSERT INTO responses", "WITH new_response AS"))
    assert not [s for s in sent if s.startswith("SELECT")]


def test_counter_taken_out_of_service_after_the_form_was_opened_takes_no_answer(client, demo, db):
    counter = first_counter(db)
    data = open_form(client, f"/s/{counter.survey_code}") | {"q_overall": "5"}
    counter.active = False
    db.session.commit()
    assert client.post(f"/s/{counter.survey_code}", data=data).status_code == 410
    assert response_count(db) == 0


def test_code_revoked_after_the_form_was_opened_gets_the_friendly_page(client, demo, db):
    counter = first_counter(db)
    old = counter.survey_code
    data = open_form(client, f"/s/{old}") | {"q_overall": "5"}
    regenerate_survey_code(counter)
    db.session.commit()
    reply = client.post(f"/s/{old}", data=data)
    assert reply.status_code == 410 and response_count(db) == 0
    assert "không còn được sử dụng" in reply.get_data(as_text=True)


def _quick_definition(db) -> Definition:
    return questionnaires.current("quick").definition


def test_answers_follow_a_questionnaire_edited_after_the_form_was_opened(client, demo, db):
    code = first_counter(db).survey_code
    data = open_form(client, f"/s/{code}") | {"q_overall": "5"}  # attitude left out: optional
    definition = _quick_definition(db)
    overall, attitude = definition.questions
    definition = dataclasses.replace(definition, questions=(  # no answers yet: edited in place
        overall, dataclasses.replace(attitude, required=True)))
    assert questionnaires.load_definition(definition).outcome == "updated"
    db.session.commit()
    assert client.post(f"/s/{code}", data=data).status_code == 400
    assert response_count(db) == 0


def test_answer_is_stored_under_the_version_current_when_it_arrives(app, demo, db):
    code = first_counter(db).survey_code
    earlier, later = app.test_client(), app.test_client()
    first = open_form(earlier, f"/s/{code}") | {"q_overall": "4"}
    assert earlier.post(f"/s/{code}", data=first).status_code == 302
    data = open_form(later, f"/s/{code}") | {"q_overall": "5"}
    definition = _quick_definition(db)
    definition = dataclasses.replace(definition, intro=Bilingual(
        definition.intro.vi, definition.intro.en + " Thank you."))
    assert questionnaires.load_definition(definition).outcome == "new-version"
    db.session.commit()
    assert later.post(f"/s/{code}", data=data).status_code == 302
    versions = db.session.scalars(select(QuestionnaireVersion.version).join(Response)
                                  .order_by(Response.id)).all()
    assert versions == [1, 2]


def test_procedure_of_the_unit_is_stored_and_another_units_refused(client, demo, db):
    counter = first_counter(db)
    own = counter.unit.procedures[0]
    foreign = db.session.scalars(select(Procedure).where(Procedure.code == "1.001193")).one()
    data = open_form(client, f"/s/{counter.survey_code}") | {"q_overall": "3"}
    assert client.post(f"/s/{counter.survey_code}",
                       data=data | {"procedure": foreign.code}).status_code == 400
    assert client.post(f"/s/{counter.survey_code}",
                       data=data | {"procedure": own.code}).status_code == 302
    assert db.session.scalars(select(Response.procedure_id)).all() == [own.id]


def test_survey_form_sets_its_csrf_cookie_and_no_session(client, demo, db):
    page = client.get(f"/s/{first_counter(db).survey_code}")
    cookies = page.headers.getlist("Set-Cookie")
    assert not [c for c in cookies if c.startswith("session=")]
    (csrf_cookie,) = [c for c in cookies if c.startswith(f"{COOKIE}=")]
    assert "HttpOnly" in csrf_cookie and "SameSite=Lax" in csrf_cookie and "Path=/;" in csrf_cookie


def test_over_https_only_a_host_cookie_counts(app_factory, demo, db):
    app = app_factory({"SESSION_COOKIE_SECURE": True}, repeat_window_minutes=0)
    code, https = first_counter(db).survey_code, "https://survey.test"
    browser = app.test_client()
    page = browser.get(f"/s/{code}", base_url=https)
    (csrf_cookie,) = [c for c in page.headers.getlist("Set-Cookie")
                      if c.startswith(f"{SECURE_COOKIE}=")]
    assert "Secure" in csrf_cookie and "Path=/;" in csrf_cookie and "Domain" not in csrf_cookie
    data = form_fields(page.get_data(as_text=True)) | {"q_overall": "5"}
    assert browser.post(f"/s/{code}", data=data, base_url=https).status_code == 302  # no Referer
    # a cookie without the __Host- prefix (one another subdomain could set) is not looked at
    value = csrf_cookie.split(";")[0].split("=", 1)[1]
    planted = app.test_client()
    planted.set_cookie(COOKIE, value, domain="survey.test")
    reply = planted.post(f"/s/{code}", data=data | {"idempotency_key": "p" * 24}, base_url=https)
    assert reply.status_code == 400 and response_count(db) == 1


def test_token_of_another_browser_is_refused(app, demo, db):
    code = first_counter(db).survey_code
    mine, theirs = app.test_client(), app.test_client()
    their_token = open_form(theirs, f"/s/{code}")["csrf_token"]
    data = open_form(mine, f"/s/{code}") | {"q_overall": "5", "csrf_token": their_token}
    reply = mine.post(f"/s/{code}", data=data)
    assert reply.status_code == 400 and "<h1>Biểu mẫu đã hết hạn</h1>" in reply.get_data(as_text=True)
    assert response_count(db) == 0


def test_token_without_its_cookie_is_refused(app, demo, db):
    code = first_counter(db).survey_code
    data = open_form(app.test_client(), f"/s/{code}") | {"q_overall": "5"}
    reply = app.test_client().post(f"/s/{code}", data=data)  # a page elsewhere, no cookie
    assert reply.status_code == 400 and response_count(db) == 0


def test_form_token_stays_the_same_while_the_browser_keeps_its_cookie(client, demo, db):
    code = first_counter(db).survey_code
    first = open_form(client, f"/s/{code}")["csrf_token"]
    again = client.get(f"/s/{code}/full")
    assert first == form_fields(again.get_data(as_text=True))["csrf_token"]
    assert not [c for c in again.headers.getlist("Set-Cookie") if c.startswith(f"{COOKIE}=")]
    assert re.fullmatch(r"[0-9a-f]{64}", first)


def test_log_timestamp_is_the_isoformat_of_its_moment():
    formatter = JsonFormatter()
    for moment in (1764149105.4669995, 1764149105.9999996, 1764149106.0, 1764149106.0004999,
                   1764149106.123456):
        expected = datetime.fromtimestamp(moment, UTC).isoformat(timespec="milliseconds")
        assert formatter._timestamp(moment) == expected
