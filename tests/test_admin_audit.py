"""Every change an administrator (or a leader) makes leaves an audit event, by whom, never a secret.

``ADMIN_CHANGES`` lists each POST endpoint of the administration with a way to exercise it and the
event it must leave; the sweep fails when an endpoint that changes something is added to the
administration without being listed here (and so without an event).
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from io import BytesIO

import pytest
from sqlalchemy import select

from survey.extensions import db as _db
from survey.models import AuditEvent, Counter, DayKind, Procedure, Unit
from survey.rules.specs import Bilingual
from survey.services import audit, org, questionnaires, rules
from survey.services.tokens import issue_tokens
from tests.cases_helpers import staff_post, user
from tests.conftest import login


def unit(code: str) -> Unit:
    return _db.session.scalars(select(Unit).where(Unit.code == code)).one()


def counter(code: str = "NB-Q01") -> Counter:
    return _db.session.scalars(select(Counter).where(Counter.code == code)).one()


def post(client, page: str, data: dict, action: str | None = None):
    """Open ``page`` for its CSRF token, then post ``data`` to ``action`` (the page itself)."""
    return staff_post(client, page, action or page, data)


# Each: (endpoint, what it does, a function that does it through the pages, the event expected).
def new_unit(client):
    return post(client, "/admin/units/new", {"code": "NB-MOI", "name": "Đơn vị mới",
                                            "level": "Phòng", "parent_id": unit("NB").id})


def rename_unit(client):
    hub = unit("NB-HL-TT")
    return post(client, f"/admin/units/{hub.id}", {"code": hub.code, "name": "Trung tâm mới tên",
                                                   "level": hub.level, "parent_id": hub.parent_id})


def new_counter(client):
    return post(client, "/admin/counters/new", {"unit_id": unit("NB-TTHCC").id, "code": "NB-Q99",
                                               "name": "Quầy 99", "active": "y"})


def edit_counter(client):
    desk = counter()
    return post(client, f"/admin/counters/{desk.id}/edit", {"unit_id": desk.unit_id,
                                                           "code": desk.code, "name": "Quầy một"})


def new_code(client):
    desk = counter()
    return post(client, f"/admin/counters/{desk.id}/regenerate", {"confirm": "yes"})


def set_duty(client):
    desk = counter()
    return post(client, f"/admin/counters/{desk.id}", {"officer_id": user("canbo2").id},
                f"/admin/counters/{desk.id}/duty")


def issue_links(client):
    desk = counter()
    return post(client, f"/admin/counters/{desk.id}", {"count": "3"},
                f"/admin/counters/{desk.id}/links")


def new_procedure(client):
    return post(client, "/admin/procedures/new", {
        "code": "9.999999", "name": "Thủ tục thử", "field": "Hộ tịch", "processing_days": "3",
        "unit_ids": [unit("NB-TTHCC").id]})


def edit_procedure(client):
    procedure = _db.session.scalars(select(Procedure).order_by(Procedure.id)).first()
    return post(client, f"/admin/procedures/{procedure.id}", {
        "code": procedure.code, "name": procedure.name, "field": procedure.field,
        "processing_days": "7", "unit_ids": [unit("NB-TTHCC").id]})


def new_rule(client):
    return post(client, "/admin/routing/new", {
        "kind": "complaint", "unit_id": unit("NB-HL-TT").id, "procedure_field": "", "topic": "",
        "handling_unit_id": unit("NB-TTHCC").id, "note": "", "active": "y"})


def delete_rule(client):
    rule = rules.save_rule(None, actor=user("admin"), kind="complaint", unit_id=None,
                           procedure_field=None, topic=None, note=None, active=True,
                           handling_unit_id=unit("NB-TTHCC").id)
    _db.session.commit()
    return post(client, "/admin/routing", {}, f"/admin/routing/{rule.id}/delete")


def set_intake(client):
    return post(client, "/admin/routing", {"intake-unit_id": unit("NB").id},
                "/admin/routing/intake")


def declare_conflict(client):
    return post(client, "/admin/conflicts", {"user_a_id": user("canbo1").id,
                                             "user_b_id": user("canbo2").id, "reason": "Anh em"})


def remove_conflict(client):
    conflict = rules.declare_conflict(user("canbo1"), user("canbo2"), "Anh em",
                                      actor=user("admin"))
    _db.session.commit()
    return post(client, "/admin/conflicts", {}, f"/admin/conflicts/{conflict.id}/delete")


def add_day_off(client):
    return post(client, "/admin/calendar", {"day": "2031-05-06", "kind": "day_off",
                                            "note": "Nghỉ bù"})


def remove_day_off(client):
    rules.set_calendar_day(date(2031, 5, 6), DayKind.DAY_OFF, "Nghỉ bù", actor=user("admin"))
    _db.session.commit()
    return post(client, "/admin/calendar", {}, "/admin/calendar/2031-05-06/delete")


def new_user(client):
    return post(client, "/admin/users/new", {
        "username": "canbomoi", "display_name": "Cán bộ mới", "email": "", "role": "officer",
        "unit_id": unit("NB-GV-TT").id, "password": "mat-khau-rat-dai", "active": "y"})


def edit_user(client):
    officer = user("canbo2")
    return post(client, f"/admin/users/{officer.id}", {
        "display_name": officer.display_name, "email": "", "role": "leader",
        "unit_id": officer.unit_id, "active": "y"})


def save_counts(client):
    page = f"/admin/transactions?unit={unit('NB-HL-TT').id}&year=2021"
    return post(client, page, {f"m{m:02d}": "" for m in range(2, 13)} | {"m01": "310"})


def import_counts(client):
    page = f"/admin/transactions?unit={unit('NB-HL-TT').id}&year=2021"
    upload = (BytesIO(b"unit,month,transactions\nNB-HL-TT,2021-01,310\n"), "counts.csv")
    return post(client, page, {"file": upload},
                f"/admin/transactions/import?unit={unit('NB-HL-TT').id}&year=2021")


ADMIN_CHANGES = [
    ("admin.edit_unit", new_unit, "unit_created"),
    ("admin.edit_unit", rename_unit, "unit_changed"),
    ("admin.edit_counter", new_counter, "counter_created"),
    ("admin.edit_counter", edit_counter, "counter_changed"),
    ("admin.regenerate_code", new_code, "counter_code_renewed"),
    ("admin.set_duty", set_duty, "officer_on_duty_set"),
    ("admin.issue_links", issue_links, "links_issued"),
    ("admin.edit_procedure", new_procedure, "procedure_created"),
    ("admin.edit_procedure", edit_procedure, "procedure_changed"),
    ("admin.edit_rule", new_rule, "routing_rule_saved"),
    ("admin.delete_rule", delete_rule, "routing_rule_deleted"),
    ("admin.set_intake", set_intake, "setting_changed"),
    ("admin.conflicts", declare_conflict, "conflict_declared"),
    ("admin.delete_conflict", remove_conflict, "conflict_removed"),
    ("admin.calendar", add_day_off, "calendar_changed"),
    ("admin.delete_calendar_day", remove_day_off, "calendar_changed"),
    ("admin.new_user", new_user, "user_created"),
    ("admin.edit_user", edit_user, "user_changed"),
    ("admin.edit_transactions", save_counts, "transaction_counts_saved"),
    ("admin.import_transactions", import_counts, "transaction_counts_imported"),
]


def test_every_administration_endpoint_that_changes_something_is_listed(app):
    posting = {rule.endpoint for rule in app.url_map.iter_rules()
               if rule.endpoint.startswith("admin.") and "POST" in rule.methods}
    assert posting == {endpoint for endpoint, _, _ in ADMIN_CHANGES}


def events(action: str) -> list[AuditEvent]:
    return _db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                               .order_by(AuditEvent.id)).all()


@pytest.mark.parametrize(("endpoint", "change", "action"), ADMIN_CHANGES,
                         ids=[change.__name__ for _, change, _ in ADMIN_CHANGES])
def test_each_administration_change_leaves_an_event_by_its_author(client, demo, db, endpoint,
                                                                  change, action):
    login(client, "admin")
    before = len(events(action))
    reply = change(client)
    assert reply.status_code in (200, 302), reply.get_data(as_text=True)[:500]
    _db.session.expire_all()
    made = events(action)
    assert len(made) > before
    assert made[-1].actor_id == user("admin").id and made[-1].actor_kind == "staff"
    assert audit.verify().ok


def test_a_leader_setting_the_officer_on_duty_is_recorded_as_the_leader(client, demo, db):
    login(client, "lanhdao")
    assert set_duty(client).status_code == 302
    [event] = events("officer_on_duty_set")
    assert event.actor_id == user("lanhdao").id
    assert event.detail == {"counter": counter().id, "officer": user("canbo2").id,
                            "previous": event.detail["previous"]}


def test_issued_links_are_counted_never_stored_in_the_trail(client, demo, db):
    login(client, "admin")
    html = issue_links(client).get_data(as_text=True)
    [event] = events("links_issued")
    assert event.detail["count"] == 3 and event.detail["counter"] == counter().id
    tokens = [part.split("<")[0] for part in html.split("?t=")[1:]]
    assert len(tokens) >= 3
    trail = json.dumps([e.detail for e in _db.session.scalars(select(AuditEvent))])
    assert not any(token in trail for token in tokens)


def test_a_unit_edit_records_what_changed_from_what(client, demo, db):
    login(client, "admin")
    hub = unit("NB-HL-TT")
    old_name = hub.name
    assert rename_unit(client).status_code == 302
    [event] = events("unit_changed")
    assert event.detail == {"unit": hub.id, "changes": {"name": [old_name, "Trung tâm mới tên"]}}
    assert not events("unit_moved")  # a rename routes nothing again


def test_a_unit_moved_records_the_change_and_the_move(app, demo, db):
    hub = unit("NB-HL-TT")
    org.save_unit(hub, code=hub.code, name=hub.name, level=hub.level, parent=unit("NB-GV"),
                  actor=user("admin"))
    assert events("unit_changed")[-1].detail["changes"]["parent"][1] == unit("NB-GV").id
    assert events("unit_moved")[-1].detail == {"unit": hub.id, "parent": unit("NB-GV").id}


def test_a_save_that_changes_nothing_records_nothing(app, demo, db):
    hub, desk = unit("NB-HL-TT"), counter()
    org.save_unit(hub, code=hub.code, name=hub.name, level=hub.level, parent=hub.parent)
    org.save_counter(desk, unit=desk.unit, code=desk.code, name=desk.name, active=desk.active)
    assert not events("unit_changed") and not events("counter_changed")


def test_links_issued_from_the_command_line_and_questionnaires_loaded_are_recorded(app, demo, db):
    issue_tokens(counter(), 2)
    definition = questionnaires.current("quick").definition
    definition = dataclasses.replace(definition, intro=Bilingual(
        definition.intro.vi, definition.intro.en + " Thanks."))
    result = questionnaires.load_definition(definition)
    assert events("links_issued")[-1].detail["count"] == 2
    assert events("links_issued")[-1].actor_kind == "system"
    loaded = events("questionnaire_loaded")[-1]
    assert loaded.detail["questionnaire"] == "quick" and loaded.detail["version"] == result.version
    assert loaded.detail["outcome"] == result.outcome
    before = len(events("questionnaire_loaded"))
    assert questionnaires.load_definition(definition).outcome == "unchanged"
    assert len(events("questionnaire_loaded")) == before  # loading the same file again: nothing


def test_the_demo_organisation_is_recorded_as_loaded_by_the_system(app, demo, db):
    created = {e.detail["code"] for e in events("unit_created")}
    assert {"NB", "NB-TTHCC"} <= created
    assert all(e.actor_kind == "system" for e in events("counter_created"))
    assert {e.detail["code"] for e in events("counter_created")} == {
        c.code for c in _db.session.scalars(select(Counter))}
