"""The citizen's survey pages: rendering, submission, and every error path."""

import re

import pytest
from sqlalchemy import func, select

from survey.models import Answer, Channel, Procedure, Response, TransactionToken
from survey.services.org import regenerate_survey_code
from survey.services.tokens import issue_tokens
from tests.conftest import first_counter, form_fields, submit_survey

PAGE_BUDGET = 30 * 1024


def response_count(db) -> int:
    return db.session.scalar(select(func.count(Response.id)))


def test_quick_form_is_in_vietnamese_by_default(client, demo, db):
    counter = first_counter(db)
    page = client.get(f"/s/{counter.survey_code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<html lang="vi">' in html
    assert "Nhìn chung, Ông/Bà hài lòng thế nào" in html
    assert counter.name in html and counter.unit.name in html
    assert f"/s/{counter.survey_code}/full" in html


def test_english_is_one_tap_away_and_remembered(client, demo, db):
    code = first_counter(db).survey_code
    page = client.get(f"/s/{code}")
    switch = re.search(r'<a class="lang" href="([^"]+)"', page.get_data(as_text=True)).group(1)
    english = client.get(switch.replace("&amp;", "&")).get_data(as_text=True)
    assert '<html lang="en">' in english and "Overall, how satisfied are you" in english
    again = client.get(f"/s/{code}").get_data(as_text=True)
    assert '<html lang="en">' in again
    back = client.get(f"/s/{code}?lang=vi").get_data(as_text=True)
    assert '<html lang="vi">' in back


def test_each_question_is_a_fieldset_with_a_legend_and_labelled_options(client, demo, db):
    html = client.get(f"/s/{first_counter(db).survey_code}/full").get_data(as_text=True)
    fieldsets = re.findall(r"<fieldset.*?</fieldset>", html, re.S)
    assert len(fieldsets) == 23
    for fieldset in fieldsets:
        assert "<legend>" in fieldset
        # every radio sits inside its <label>, so the words are its accessible name
        assert len(re.findall(r'<label class="opt"><input type="radio"', fieldset)) == \
            fieldset.count('type="radio"')


@pytest.mark.parametrize("path", ["", "/full"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_page_with_its_stylesheet_weighs_under_30_kb(client, demo, db, path, lang):
    html = client.get(f"/s/{first_counter(db).survey_code}{path}?lang={lang}").data
    stylesheets = re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html)
    css = b"".join(client.get(href.decode()).data for href in stylesheets)
    assert stylesheets and b"<script" not in html
    assert b"http://" not in html.replace(b"http://survey.test", b"")  # no external asset
    assert len(html) + len(css) < PAGE_BUDGET, len(html) + len(css)


def test_submission_records_counter_unit_officer_procedure_and_answers(client, demo, db):
    counter = first_counter(db)
    procedure = counter.unit.procedures[0]
    reply = submit_survey(client, f"/s/{counter.survey_code}", {"overall": "4", "attitude": "5"},
                          procedure=procedure.code, comment="Nhanh, gọn.")
    assert reply.status_code == 302 and reply.location.endswith(f"/s/{counter.survey_code}/thanks")
    response = db.session.scalars(select(Response)).one()
    assert (response.counter_id, response.unit_id) == (counter.id, counter.unit_id)
    assert response.officer_id == counter.officer_on_duty_id is not None
    assert response.procedure_id == procedure.id
    assert response.channel is Channel.QR
    assert response.questionnaire_version.questionnaire.code == "quick"
    assert response.comment == "Nhanh, gọn."
    assert {a.question_code: a.value for a in response.answers} == {"overall": 4, "attitude": 5}


def test_response_has_no_column_that_could_identify_the_respondent():
    columns = {c.name for c in Response.__table__.columns}
    assert not columns & {"ip", "ip_address", "name", "phone", "email", "user_id", "account_id"}
    assert "response_id" not in {c.name for c in TransactionToken.__table__.columns}


def test_full_form_stores_no_opinion_as_null(client, demo, db):
    counter = first_counter(db)
    answers = {code: "5" for code in ("A1", "B1", "C1", "D1", "E1")} | {"A2": "na", "overall": "4"}
    reply = submit_survey(client, f"/s/{counter.survey_code}/full", answers)
    assert reply.status_code == 302
    stored = dict(db.session.execute(select(Answer.question_code, Answer.value)).all())
    assert stored == {"A1": 5, "B1": 5, "C1": 5, "D1": 5, "E1": 5, "A2": None, "overall": 4}


def test_missing_overall_answer_rerenders_with_answers_kept_and_the_message_beside_it(client, demo, db):
    counter = first_counter(db)
    reply = submit_survey(client, f"/s/{counter.survey_code}", {"attitude": "2"},
                          comment="<b>chờ lâu</b> & không có ghế")
    html = reply.get_data(as_text=True)
    assert reply.status_code == 400
    overall = re.search(r'<fieldset id="fs-q_overall".*?</fieldset>', html, re.S).group(0)
    assert 'class="invalid"' in overall and 'class="err"' in overall
    assert re.search(r'name="q_attitude" value="2" checked', html)
    assert "&lt;b&gt;chờ lâu&lt;/b&gt; &amp; không có ghế" in html  # kept, and escaped
    assert response_count(db) == 0


def test_out_of_scale_value_is_refused(client, demo, db):
    reply = submit_survey(client, f"/s/{first_counter(db).survey_code}", {"overall": "9"})
    assert reply.status_code == 400 and response_count(db) == 0


def test_submission_without_csrf_token_is_refused_with_a_clear_page(client, demo, db):
    counter = first_counter(db)
    client.get(f"/s/{counter.survey_code}")
    reply = client.post(f"/s/{counter.survey_code}", data={"q_overall": "5",
                                                          "idempotency_key": "x" * 24})
    assert reply.status_code == 400
    assert "<h1>Biểu mẫu đã hết hạn</h1>" in reply.get_data(as_text=True)
    assert response_count(db) == 0


def test_double_tap_stores_one_response(client, demo, db):
    counter = first_counter(db)
    page = client.get(f"/s/{counter.survey_code}").get_data(as_text=True)
    data = form_fields(page) | {"q_overall": "5"}
    first = client.post(f"/s/{counter.survey_code}", data=data)
    second = client.post(f"/s/{counter.survey_code}", data=data)
    assert first.status_code == second.status_code == 302
    assert second.location == first.location
    assert response_count(db) == 1


def test_retry_from_another_connection_with_the_same_key_stores_one_response(app, demo, db):
    counter = first_counter(db)
    browser = app.test_client()
    data = form_fields(browser.get(f"/s/{counter.survey_code}").get_data(as_text=True))
    data["q_overall"] = "3"
    assert browser.post(f"/s/{counter.survey_code}", data=data).status_code == 302
    # the same browser cookie jar resends after a lost reply: still one response
    assert browser.post(f"/s/{counter.survey_code}", data=data).status_code == 302
    assert response_count(db) == 1


def test_second_response_from_the_same_browser_within_the_window_is_refused(client, demo, db):
    code = first_counter(db).survey_code
    assert submit_survey(client, f"/s/{code}", {"overall": "5"}).status_code == 302
    again = client.get(f"/s/{code}")
    assert again.status_code == 429
    assert "đã đánh giá quầy này" in again.get_data(as_text=True)
    assert response_count(db) == 1


def test_repeat_window_is_configurable(app_factory, demo, db):
    app = app_factory(repeat_window_minutes=0)
    client = app.test_client()
    code = first_counter(db).survey_code
    assert submit_survey(client, f"/s/{code}", {"overall": "5"}).status_code == 302
    assert submit_survey(client, f"/s/{code}", {"overall": "4"}).status_code == 302
    assert response_count(db) == 2


def test_one_time_link_is_accepted_once_and_binds_its_officer(client, demo, db):
    counter = first_counter(db)
    from survey.models import User

    other = db.session.scalars(select(User).where(User.unit_id == counter.unit_id,
                                                  User.id != counter.officer_on_duty_id)).first()
    [token] = issue_tokens(counter, officer=other)
    db.session.commit()
    reply = submit_survey(client, f"/s/{counter.survey_code}?t={token}", {"overall": "2"})
    assert reply.status_code == 302
    assert db.session.scalars(select(Response)).one().officer_id == other.id
    reused = client.get(f"/s/{counter.survey_code}?t={token}")
    assert reused.status_code == 410
    assert "đã được sử dụng" in reused.get_data(as_text=True)
    stored = db.session.scalars(select(TransactionToken)).one()
    assert stored.used_at is not None and token not in stored.token_hash


def test_one_time_link_used_in_another_tab_is_refused_at_submission(app, demo, db):
    counter = first_counter(db)
    [token] = issue_tokens(counter)
    db.session.commit()
    first, second = app.test_client(), app.test_client()
    page_one = first.get(f"/s/{counter.survey_code}?t={token}").get_data(as_text=True)
    page_two = second.get(f"/s/{counter.survey_code}?t={token}").get_data(as_text=True)
    assert first.post(f"/s/{counter.survey_code}",
                      data=form_fields(page_one) | {"q_overall": "5"}).status_code == 302
    late = second.post(f"/s/{counter.survey_code}", data=form_fields(page_two) | {"q_overall": "5"})
    assert late.status_code == 410
    assert response_count(db) == 1


def test_unknown_one_time_link_gets_a_clear_page(client, demo, db):
    reply = client.get(f"/s/{first_counter(db).survey_code}?t=not-a-real-token")
    assert reply.status_code == 410
    assert "không hợp lệ" in reply.get_data(as_text=True)


def test_revoked_code_shows_a_friendly_page_not_a_trace(client, demo, db):
    counter = first_counter(db)
    old = counter.survey_code
    new = regenerate_survey_code(counter)
    db.session.commit()
    reply = client.get(f"/s/{old}")
    assert reply.status_code == 410
    assert "không còn được sử dụng" in reply.get_data(as_text=True)
    assert client.get(f"/s/{new}").status_code == 200


def test_unknown_code_is_a_friendly_404(client, demo):
    reply = client.get("/s/nothere")
    assert reply.status_code == 404
    assert "Không tìm thấy trang" in reply.get_data(as_text=True)


def test_counter_out_of_service_does_not_take_answers(client, demo, db):
    counter = first_counter(db)
    counter.active = False
    db.session.commit()
    assert client.get(f"/s/{counter.survey_code}").status_code == 410


def test_low_score_thank_you_page_says_so_more_clearly(client, demo, db):
    code = first_counter(db).survey_code
    reply = submit_survey(client, f"/s/{code}", {"overall": "1"})
    page = client.get(reply.location).get_data(as_text=True)
    assert "Chúng tôi rất tiếc" in page


def test_happy_thank_you_page_does_not_push(client, demo, db):
    code = first_counter(db).survey_code
    reply = submit_survey(client, f"/s/{code}", {"overall": "5"})
    page = client.get(reply.location).get_data(as_text=True)
    assert "Cảm ơn" in page and "Chúng tôi rất tiếc" not in page


def test_procedure_search_narrows_the_list_without_javascript(client, demo, db):
    code = first_counter(db).survey_code
    html = client.get(f"/s/{code}?q=giấy phép xây dựng").get_data(as_text=True)
    options = re.findall(r'<option (?:selected )?value="([^"]+)"', html)
    names = [p.name for p in db.session.scalars(select(Procedure).where(Procedure.code.in_(options)))]
    assert names and all("giấy phép xây dựng" in n.lower() for n in names)


def test_procedure_of_another_unit_is_refused(client, demo, db):
    counter = first_counter(db)
    foreign = db.session.scalars(select(Procedure).where(Procedure.code == "1.001193")).one()
    assert foreign not in counter.unit.procedures
    reply = submit_survey(client, f"/s/{counter.survey_code}", {"overall": "5"},
                          procedure=foreign.code)
    assert reply.status_code == 400 and response_count(db) == 0


def test_searching_procedures_inside_the_form_keeps_the_answers(client, demo, db):
    code = first_counter(db).survey_code
    page = client.get(f"/s/{code}").get_data(as_text=True)
    reply = client.post(f"/s/{code}", data=form_fields(page) | {
        "q_overall": "4", "comment": "Nhanh", "q": "xây dựng", "action": "search"})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 200 and response_count(db) == 0
    assert re.search(r'name="q_overall" value="4" required checked', html)
    assert "Nhanh</textarea>" in html and 'class="err"' not in html
    options = re.findall(r'<option (?:selected )?value="([^"]+)"', html)
    found = db.session.execute(select(Procedure.name, Procedure.field)
                               .where(Procedure.code.in_(options))).all()
    assert found and all("xây dựng" in f"{name} {field}".lower() for name, field in found)


def test_required_question_is_marked_required_for_assistive_technology(client, demo, db):
    html = client.get(f"/s/{first_counter(db).survey_code}").get_data(as_text=True)
    assert len(re.findall(r'name="q_overall" value="\d" required', html)) == 5
    assert not re.search(r'name="q_attitude" value="\d" required', html)


@pytest.mark.parametrize("typed", ["GIẤY PHÉP XÂY DỰNG", "giay phep xay dung", "Giay  Phep XAY dung"])
def test_procedure_search_forgives_capitals_and_missing_marks(client, demo, db, typed):
    """Cheap phones and hurried thumbs: capitals or no marks find the same procedures."""
    code = first_counter(db).survey_code
    expected = re.findall(r'<option (?:selected )?value="([^"]+)"',
                          client.get(f"/s/{code}?q=giấy phép xây dựng").get_data(as_text=True))
    found = re.findall(r'<option (?:selected )?value="([^"]+)"',
                       client.get(f"/s/{code}", query_string={"q": typed}).get_data(as_text=True))
    assert expected and found == expected
    unit_total = len(first_counter(db).unit.procedures)
    assert len(found) < unit_total


def test_faces_are_drawn_not_left_to_the_phones_emoji_font(client, demo, db):
    """A phone without the emoji would show empty boxes; the page draws its own faces."""
    html = client.get(f"/s/{first_counter(db).survey_code}").get_data(as_text=True)
    overall = re.search(r'<fieldset id="fs-q_overall".*?</fieldset>', html, re.S).group(0)
    assert len(re.findall(r'<svg class="face"[^>]*aria-hidden="true"', overall)) == 5
    assert not re.search("[\U0001F300-\U0001FAFF]", html)
    assert "Rất hài lòng" in overall  # the words, not the picture, carry the meaning


def test_a_face_the_page_cannot_draw_shows_as_text(app):
    from flask import render_template_string

    with app.test_request_context():
        html = render_template_string(
            '{% from "public/_faces.html" import face %}{{ face("🤩") }}{{ face("<b>") }}')
    assert '<span class="face" aria-hidden="true">🤩</span>' in html
    assert "&lt;b&gt;" in html and "<svg" not in html


def test_a_search_that_finds_one_procedure_picks_it_and_says_how_many_match(client, demo, db):
    counter = first_counter(db)
    procedures = counter.unit.procedures
    unique = next(p for p in procedures
                  if not any(p.code in f"{o.code} {o.name} {o.field}" for o in procedures if o != p))
    html = client.get(f"/s/{counter.survey_code}", query_string={"q": unique.code}).get_data(
        as_text=True)
    assert re.search(rf'<option selected value="{re.escape(unique.code)}">', html)
    assert "Có 1 thủ tục khớp với từ khóa tìm kiếm." in html
    assert 'aria-describedby="procedure-found"' in html
    several = client.get(f"/s/{counter.survey_code}?q=giấy").get_data(as_text=True)
    assert "<option selected" not in several and "thủ tục khớp với từ khóa" in several


def test_a_procedure_of_another_unit_is_named_beside_the_list(client, demo, db):
    counter = first_counter(db)
    foreign = db.session.scalars(select(Procedure).where(Procedure.code == "1.001193")).one()
    reply = submit_survey(client, f"/s/{counter.survey_code}", {"overall": "5"},
                          procedure=foreign.code)
    html = reply.get_data(as_text=True)
    assert reply.status_code == 400 and response_count(db) == 0
    assert "Vui lòng chọn một thủ tục trong danh sách." in html
    assert re.search(r'name="q_overall" value="5" required checked', html)
