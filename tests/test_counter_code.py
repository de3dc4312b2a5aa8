"""A counter's new survey code: asked for first, and one-time links already issued keep working."""

from sqlalchemy import func, select

from survey.models import Counter, Response
from survey.services.org import regenerate_survey_code
from survey.services.tokens import issue_tokens
from tests.conftest import csrf_token, first_counter, form_fields, login


def regenerate(db, counter) -> str:
    old = counter.survey_code
    regenerate_survey_code(counter)
    db.session.commit()
    return old


def responses(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Response))


def test_make_a_new_code_asks_first_and_says_what_it_does(client, demo, db):
    counter = first_counter(db)
    old = counter.survey_code
    issue_tokens(counter, 3)
    db.session.commit()
    login(client, "admin")
    html = client.get(f"/admin/counters/{counter.id}").get_data(as_text=True)
    assert f'href="/admin/counters/{counter.id}/regenerate"' in html
    page = client.get(f"/admin/counters/{counter.id}/regenerate")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and counter.name in text
    assert "ngừng hoạt động ngay" in text and "áp phích" in text
    assert "3 liên kết của quầy này chưa được dùng" in text
    db.session.expire_all()
    assert db.session.get(Counter, counter.id).survey_code == old  # looking changes nothing


def test_a_post_without_the_confirmation_only_asks(client, demo, db):
    counter = first_counter(db)
    old = counter.survey_code
    login(client, "admin")
    page = client.get(f"/admin/counters/{counter.id}").get_data(as_text=True)
    reply = client.post(f"/admin/counters/{counter.id}/regenerate",
                        data={"csrf_token": csrf_token(page)})
    assert reply.status_code == 200 and 'name="confirm" value="yes"' in reply.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Counter, counter.id).survey_code == old


def test_confirming_makes_the_new_code_and_the_old_poster_gets_the_polite_page(client, demo, db):
    counter = first_counter(db)
    old = counter.survey_code
    login(client, "admin")
    page = client.get(f"/admin/counters/{counter.id}/regenerate").get_data(as_text=True)
    reply = client.post(f"/admin/counters/{counter.id}/regenerate",
                        data={"csrf_token": csrf_token(page), "confirm": "yes"},
                        follow_redirects=True)
    assert "in áp phích mới" in reply.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Counter, counter.id).survey_code != old
    assert client.get(f"/s/{old}").status_code == 410


def test_a_leader_cannot_make_a_new_code(client, demo, db):
    counter = first_counter(db)
    login(client, "lanhdao")
    assert client.get(f"/admin/counters/{counter.id}/regenerate").status_code == 403


def test_a_link_issued_before_a_new_code_is_accepted_once_then_refused(app, demo, db):
    counter = first_counter(db)
    [token] = issue_tokens(counter, 1)
    db.session.commit()
    old = regenerate(db, counter)
    citizen = app.test_client()
    opened = citizen.get(f"/s/{old}?t={token}&lang=vi", follow_redirects=True)
    assert opened.status_code == 200
    assert opened.request.path == f"/s/{counter.survey_code}"
    assert opened.request.args["t"] == token and opened.request.args["lang"] == "vi"
    data = {**form_fields(opened.get_data(as_text=True)), "q_overall": "4"}
    assert data["token"] == token
    assert citizen.post(f"/s/{counter.survey_code}", data=data).status_code == 302
    assert responses(db) == 1
    again = app.test_client().get(f"/s/{old}?t={token}", follow_redirects=True)
    assert again.status_code == 410 and responses(db) == 1


def test_a_form_opened_before_the_new_code_is_sent_after_it_keeps_its_answers(app, demo, db):
    counter = first_counter(db)
    [token] = issue_tokens(counter, 1)
    db.session.commit()
    citizen = app.test_client()
    page = citizen.get(f"/s/{counter.survey_code}/full?t={token}")
    data = {**form_fields(page.get_data(as_text=True)), "q_overall": "5"}
    old = regenerate(db, counter)
    sent = citizen.post(f"/s/{old}/full", data=data)
    assert sent.status_code == 307 and sent.headers["Location"].endswith(
        f"/s/{counter.survey_code}/full")
    # A browser sends the same body again after a 307 (werkzeug's test client cannot: it has
    # read the body already), and the answers are stored under the new code.
    stored = citizen.post(sent.headers["Location"], data=data)
    assert stored.status_code == 302 and "/thanks" in stored.headers["Location"]
    assert responses(db) == 1


def test_an_old_code_with_another_counters_link_or_none_stays_revoked(app, demo, db):
    counter = first_counter(db)
    other = db.session.scalar(select(Counter).where(Counter.code == "NB-Q02"))
    [foreign] = issue_tokens(other, 1)
    db.session.commit()
    old = regenerate(db, counter)
    client = app.test_client()
    assert client.get(f"/s/{old}?t={foreign}").status_code == 410
    assert client.get(f"/s/{old}?t=made-up-token").status_code == 410
    assert client.get(f"/s/{old}").status_code == 410
    assert client.get("/s/nosuch?t=" + foreign).status_code == 404
