"""Administration of routing rules (with the try-it box), conflicts and the working calendar."""

import re

from sqlalchemy import select

from survey.models import CalendarOverride, ConflictOfInterest, RoutingRule, Unit
from tests.cases_helpers import new_case, staff_post, user
from tests.conftest import first_counter, login, submit_survey


def unit(code: str) -> Unit:
    from survey.extensions import db

    return db.session.scalars(select(Unit).where(Unit.code == code)).one()


def test_admin_adds_a_rule_and_new_cases_follow_it(client, demo, db):
    login(client, "admin")
    reply = staff_post(client, "/admin/routing/new", "/admin/routing/new", {
        "kind": "complaint", "unit_id": unit("NB-HL-TT").id, "procedure_field": "",
        "topic": "", "handling_unit_id": unit("NB-TTHCC").id, "note": "Khiếu nại cấp xã",
        "active": "y"})
    assert reply.status_code == 302
    rule = db.session.scalars(select(RoutingRule)).one()
    assert rule.kind == "complaint" and rule.procedure_field is None
    from survey.models import CaseKind

    case, _ = new_case(CaseKind.COMPLAINT, counter=None, unit=unit("NB-HL-TT"))
    assert case.handling_unit_id == unit("NB-TTHCC").id
    feedback, _ = new_case(CaseKind.FEEDBACK, counter=None, unit=unit("NB-HL-TT"))
    assert feedback.handling_unit_id == unit("NB-HL-TT").id  # the rule is for complaints only


def test_try_it_box_explains_where_a_case_would_go(client, demo, db):
    login(client, "admin")
    html = client.get(f"/admin/routing?kind=denunciation&unit_id={unit('NB-TTHCC').id}"
                      f"&accused_id={user('canbo1').id}").get_data(as_text=True)
    note = re.search(r'<div class="note" role="status">.*?</div>', html, re.S).group(0)
    assert user("lanhdao").display_name in note
    assert "<li>" in note


def test_declaring_a_conflict_twice_is_refused_with_a_message(client, demo, db):
    login(client, "admin")
    data = {"user_a_id": user("canbo1").id, "user_b_id": user("canbo2").id, "reason": "Anh em ruột"}
    assert staff_post(client, "/admin/conflicts", "/admin/conflicts", data).status_code == 302
    again = staff_post(client, "/admin/conflicts", "/admin/conflicts", data)
    assert again.status_code == 400 and 'class="err"' in again.get_data(as_text=True)
    assert len(db.session.scalars(select(ConflictOfInterest)).all()) == 1


def test_calendar_day_off_moves_open_deadlines(client, demo, db):
    case, _ = new_case()
    resolve = next(m for m in case.milestones if m.name == "resolve")
    before = resolve.due
    login(client, "admin")
    reply = staff_post(client, "/admin/calendar", "/admin/calendar", {
        "day": before.isoformat(), "kind": "day_off", "note": "Nghỉ bù theo Quyết định"})
    assert reply.status_code == 302
    assert db.session.get(CalendarOverride, before) is not None
    db.session.expire_all()
    assert next(m for m in case.milestones if m.name == "resolve").due > before


def test_thank_you_page_offers_feedback_after_a_low_score(client, demo, db):
    counter = first_counter(db)
    reply = submit_survey(client, f"/s/{counter.survey_code}", {"overall": "2"})
    html = client.get(reply.location).get_data(as_text=True)
    assert f"/cases/new?counter={counter.code}" in html
