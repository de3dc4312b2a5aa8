"""Administration pages: the overview, units, counters, QR codes, procedures, questionnaires."""

import re

from sqlalchemy import select

from survey.models import Counter, Procedure, TransactionToken, Unit
from survey.services.demo import add_synthetic_responses
from tests.conftest import csrf_token, first_counter, login, submit_survey


def post_form(client, page_path: str, data: dict, action: str | None = None):
    page = client.get(page_path)
    assert page.status_code == 200, page.status_code
    data = {"csrf_token": csrf_token(page.get_data(as_text=True)), **data}
    return client.post(action or page_path, data=data)


def test_overview_counts_responses_and_shows_the_rate_in_vietnamese_format(app, client, demo, db):
    counter = first_counter(db)
    for score in ("5", "4", "4", "2"):
        citizen = app.test_client()
        assert submit_survey(citizen, f"/s/{counter.survey_code}", {"overall": score}).status_code == 302
    login(client, "admin")
    html = client.get("/admin/").get_data(as_text=True)
    row = re.search(rf"<tr><td>{re.escape(counter.unit.name)}</td><td>{re.escape(counter.name)}</td>.*?</tr>",
                    html, re.S).group(0)
    cells = [c.strip() for c in re.findall(r'<td class="num">([^<]*)', row)]
    assert cells[:2] == ["4", "75,00%"]  # today: 4 responses, 3 of 4 satisfied
    assert cells[4:6] == ["4", "75,00%"]  # this year


def _overview_row(html: str, unit: str, counter: str) -> list[str]:
    row = re.search(rf"<tr><td>{re.escape(unit)}</td><td>{re.escape(counter)}.*?</tr>", html, re.S)
    assert row, f"no row for {unit} / {counter}"
    return [c.strip() for c in re.findall(r'<td class="num">([^<]*)', row.group(0))]


def test_overview_lists_counters_without_responses_and_pools_the_total(app, client, demo, db):
    counters = db.session.scalars(select(Counter).where(Counter.active.is_(True))
                                  .order_by(Counter.id)).all()
    first, second, silent = counters[0], counters[1], counters[2]
    for counter, scores in ((first, ("5", "5", "5")), (second, ("1",))):
        for score in scores:
            citizen = app.test_client()
            submit_survey(citizen, f"/s/{counter.survey_code}", {"overall": score})
    login(client, "admin")
    html = client.get("/admin/").get_data(as_text=True)
    assert _overview_row(html, silent.unit.name, silent.name)[:2] == ["0", "–"]
    assert html.count("<tr><td>") >= len(counters)  # every active counter has its row
    total = re.search(r"<tfoot>.*?</tfoot>", html, re.S).group(0)
    cells = [c.strip() for c in re.findall(r'<td class="num">([^<]*)', total)]
    assert cells[:2] == ["4", "75,00%"]  # 3 of 4 pooled, not the mean of 100% and 0%


def test_a_closed_counter_keeps_its_responses_on_the_overview(app, client, demo, db):
    counter = first_counter(db)
    submit_survey(app.test_client(), f"/s/{counter.survey_code}", {"overall": "4"})
    counter.active = False
    db.session.commit()
    login(client, "admin")
    html = client.get("/admin/").get_data(as_text=True)
    assert _overview_row(html, counter.unit.name, counter.name)[:2] == ["1", "100,00%"]
    assert f"{counter.name} <span class=\"muted\">(ngừng hoạt động)</span>" in html


def test_overview_for_a_leader_is_limited_to_their_subtree(client, demo, db):
    add_synthetic_responses(300, seed=3)
    db.session.commit()
    login(client, "lanhdao1")  # leader of the Hoa Lư ward centre
    html = client.get("/admin/").get_data(as_text=True)
    assert "Trung tâm Phục vụ hành chính công phường Hoa Lư" in html
    assert "Trung tâm Phục vụ hành chính công tỉnh Ninh Bình" not in html


def test_admin_creates_a_unit_under_a_parent(client, demo, db):
    login(client, "admin")
    province = db.session.scalars(select(Unit).where(Unit.code == "NB")).one()
    reply = post_form(client, "/admin/units/new", {"code": "NB-YM", "name": "Xã Yên Mô",
                                                   "level": "Xã, phường", "parent_id": province.id})
    assert reply.status_code == 302
    created = db.session.scalars(select(Unit).where(Unit.code == "NB-YM")).one()
    assert created.parent_id == province.id and created.level == "Xã, phường"


def test_duplicate_unit_code_rerenders_the_form_with_what_was_typed(client, demo, db):
    login(client, "admin")
    reply = post_form(client, "/admin/units/new", {"code": "NB", "name": "Tỉnh trùng mã",
                                                   "level": "Tỉnh", "parent_id": 0})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 200
    assert 'value="Tỉnh trùng mã"' in html and 'class="err"' in html


def test_a_unit_cannot_be_moved_under_its_own_descendant(client, demo, db):
    login(client, "admin")
    province = db.session.scalars(select(Unit).where(Unit.code == "NB")).one()
    centre = db.session.scalars(select(Unit).where(Unit.code == "NB-TTHCC")).one()
    reply = post_form(client, f"/admin/units/{province.id}", {
        "code": "NB", "name": province.name, "level": province.level, "parent_id": centre.id})
    assert reply.status_code == 200 and 'class="err"' in reply.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Unit, province.id).parent_id is None


def test_admin_creates_a_counter_which_gets_a_survey_code(client, demo, db):
    login(client, "admin")
    centre = db.session.scalars(select(Unit).where(Unit.code == "NB-TTHCC")).one()
    reply = post_form(client, "/admin/counters/new", {"unit_id": centre.id, "code": "NB-Q06",
                                                      "name": "Quầy 06 – Nội vụ", "active": "y"})
    assert reply.status_code == 302
    counter = db.session.scalars(select(Counter).where(Counter.code == "NB-Q06")).one()
    assert re.fullmatch(r"[a-z2-9]{6}", counter.survey_code)
    assert client.get(f"/s/{counter.survey_code}").status_code == 200


def test_counter_page_shows_the_qr_code_and_a_poster_to_download(client, demo, db):
    counter = first_counter(db)
    login(client, "admin")
    page = client.get(f"/admin/counters/{counter.id}").get_data(as_text=True)
    assert f"http://survey.test/s/{counter.survey_code}" in page
    svg = client.get(f"/admin/counters/{counter.id}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    poster = client.get(f"/admin/counters/{counter.id}/poster.pdf")
    assert poster.mimetype == "application/pdf" and poster.data.startswith(b"%PDF")
    assert "attachment" in poster.headers["Content-Disposition"]


def test_regenerating_a_code_revokes_the_old_one(client, demo, db):
    counter = first_counter(db)
    old = counter.survey_code
    login(client, "admin")
    reply = post_form(client, f"/admin/counters/{counter.id}/regenerate", {"confirm": "yes"})
    assert reply.status_code == 302
    db.session.expire_all()
    assert db.session.get(Counter, counter.id).survey_code != old
    assert client.get(f"/s/{old}").status_code == 410


def test_leader_sets_the_officer_on_duty_of_their_own_counter(client, demo, db):
    from survey.models import User

    counter = first_counter(db)
    other = db.session.scalars(select(User).where(User.username == "canbo3")).one()
    login(client, "lanhdao")
    reply = post_form(client, f"/admin/counters/{counter.id}", {"officer_id": other.id},
                      action=f"/admin/counters/{counter.id}/duty")
    assert reply.status_code == 302
    db.session.expire_all()
    assert db.session.get(Counter, counter.id).officer_on_duty_id == other.id


def test_officer_of_another_unit_cannot_be_put_on_duty(client, demo, db):
    from survey.models import User

    counter = first_counter(db)
    outsider = db.session.scalars(select(User).where(User.username == "canbo1x")).one()
    before = counter.officer_on_duty_id
    login(client, "admin")
    post_form(client, f"/admin/counters/{counter.id}", {"officer_id": outsider.id},
              action=f"/admin/counters/{counter.id}/duty")
    db.session.expire_all()
    assert db.session.get(Counter, counter.id).officer_on_duty_id == before


def test_leader_cannot_reach_a_counter_outside_their_unit(client, demo, db):
    foreign = db.session.scalars(select(Counter).where(Counter.code == "NB-HL-Q1")).one()
    login(client, "lanhdao")
    assert client.get(f"/admin/counters/{foreign.id}").status_code == 404
    assert client.get(f"/admin/counters/{foreign.id}/poster.pdf").status_code == 404


def test_leader_cannot_edit_the_organisation(client, demo):
    login(client, "lanhdao")
    for path in ("/admin/units", "/admin/units/new", "/admin/procedures", "/admin/counters/new",
                 "/admin/questionnaires"):
        assert client.get(path).status_code == 403, path


def test_one_time_links_are_shown_once_and_work_once(app, client, demo, db):
    counter = first_counter(db)
    login(client, "admin")
    reply = post_form(client, f"/admin/counters/{counter.id}", {"count": "3"},
                      action=f"/admin/counters/{counter.id}/links")
    links = re.findall(r"<code>(http://survey.test/s/[^<]+\?t=[^<]+)</code>", reply.get_data(as_text=True))
    assert len(links) == 3
    assert db.session.scalars(select(TransactionToken)).all().__len__() == 3
    path = links[0].replace("http://survey.test", "")
    citizen = app.test_client()
    assert submit_survey(citizen, path, {"overall": "5"}).status_code == 302
    assert app.test_client().get(path).status_code == 410


def test_admin_creates_a_procedure_handled_by_chosen_units(client, demo, db):
    login(client, "admin")
    centre = db.session.scalars(select(Unit).where(Unit.code == "NB-TTHCC")).one()
    reply = post_form(client, "/admin/procedures/new", {
        "code": "1.012345", "name": "Cấp giấy phép kinh doanh karaoke", "field": "Văn hóa",
        "processing_days": "5", "unit_ids": [centre.id]})
    assert reply.status_code == 302
    procedure = db.session.scalars(select(Procedure).where(Procedure.code == "1.012345")).one()
    assert procedure.processing_days == 5
    db.session.expire_all()
    assert procedure in db.session.get(Unit, centre.id).procedures


def test_questionnaire_pages_list_versions_and_questions(client, demo):
    login(client, "admin")
    listing = client.get("/admin/questionnaires").get_data(as_text=True)
    assert all(code in listing for code in ("quick", "sipas", "decree61"))
    sipas = client.get("/admin/questionnaires/sipas").get_data(as_text=True)
    assert "C6" in sipas and "Công chức tuân thủ đúng quy định" in sipas
