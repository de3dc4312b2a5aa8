"""Deny by default: every staff route refuses anonymous users and the wrong roles.

The sweep walks the URL map, so a staff route added tomorrow without a guard fails here.
"""

import re

import pytest

from survey.models import Role
from tests.conftest import csrf_token, login

STAFF_PREFIXES = ("/admin", "/officer", "/inspect")
# What each role may open under each prefix; anything else must be refused.
HANDLER = {"/officer/", "/officer/cases/<int:case_id>", "/officer/cases/<int:case_id>/act",
           "/officer/cases/<int:case_id>/notes", "/officer/cases/<int:case_id>/replies",
           "/officer/cases/<int:case_id>/extension",
           "/officer/cases/<int:case_id>/files/<int:file_id>",
           # cases and withdrawals received on paper (views/officer_intake.py)
           "/officer/record", "/officer/receipt.pdf", "/officer/cases/<int:case_id>/withdrawal"}
ALLOWED = {
    Role.OFFICER: HANDLER,
    Role.LEADER: HANDLER | {
        "/officer/queue", "/officer/late", "/officer/extensions",
        "/officer/extensions/<int:request_id>", "/officer/cases/<int:case_id>/reassign",
        "/officer/unassigned", "/officer/unassigned/<int:case_id>/take",
        "/admin/", "/admin/counters", "/admin/counters/<int:counter_id>",
        "/admin/counters/<int:counter_id>/qr.svg", "/admin/counters/<int:counter_id>/poster.pdf",
        "/admin/counters/<int:counter_id>/duty", "/admin/counters/<int:counter_id>/links"},
    # Administrators assign from the Unassigned queue without reading the cases.
    Role.ADMIN: {"/officer/unassigned", "/officer/unassigned/<int:case_id>/assign"},
    Role.CUSTODIAN: {"/officer/custody/", "/officer/custody/cases/<int:case_id>",
                     "/officer/custody/cases/<int:case_id>/reveal",
                     "/officer/custody/cases/<int:case_id>/files/<int:file_id>",
                     "/officer/custody/cases/<int:case_id>/files/<int:file_id>/clear"},
}
# The inspector's desk: both roles reach every page under /inspect, limited to their subtree.
INSPECT_ROLES = (Role.INSPECTOR, Role.LEADER)
USER_OF_ROLE = {Role.OFFICER: "canbo1", Role.INSPECTOR: "thanhtra", Role.CUSTODIAN: "baomat",
                Role.LEADER: "lanhdao", Role.ADMIN: "admin"}


def staff_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(STAFF_PREFIXES):
            yield rule


def concrete(rule) -> str:
    return re.sub(r"<[^>]+>", "x", re.sub(r"<int:[^>]+>", "1", rule.rule))


def test_there_are_staff_routes_to_sweep(app):
    assert len(list(staff_rules(app))) >= 10


def valid_csrf(client) -> dict[str, str]:
    """A genuine token for this client's session, so the role check (not CSRF) is what refuses."""
    return {"csrf_token": csrf_token(client.get("/login").get_data(as_text=True))}


def test_anonymous_users_are_sent_to_login_from_every_staff_route(app, client, demo):
    token = valid_csrf(client)
    for rule in staff_rules(app):
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            reply = client.open(concrete(rule), method=method, data=token)
            assert reply.status_code == 302, (method, rule.rule, reply.status_code)
            assert "/login" in reply.location


@pytest.mark.parametrize("role", [Role.OFFICER, Role.INSPECTOR, Role.CUSTODIAN, Role.LEADER,
                                  Role.ADMIN])
def test_every_role_is_refused_everywhere_it_was_not_granted(app, client, demo, role):
    login(client, USER_OF_ROLE[role])
    token = valid_csrf(client)
    allowed = ALLOWED.get(role, set())
    for rule in staff_rules(app):
        if rule.rule in allowed or (role is Role.ADMIN and rule.rule.startswith("/admin")) or \
                (role in INSPECT_ROLES and rule.rule.startswith("/inspect")):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            reply = client.open(concrete(rule), method=method, data=token)
            assert reply.status_code in (403, 404), (role, method, rule.rule, reply.status_code)
            if method == "GET":
                assert reply.status_code == 403, (role, rule.rule)


def test_every_staff_post_without_a_csrf_token_is_refused(app, client, demo):
    login(client, "admin")
    for rule in staff_rules(app):
        if "POST" in rule.methods:
            reply = client.post(concrete(rule), data={})
            assert reply.status_code == 400, (rule.rule, reply.status_code)


def test_wrong_password_is_refused_with_a_message_and_the_username_kept(client, demo):
    page = client.get("/login").get_data(as_text=True)
    reply = client.post("/login", data={"csrf_token": csrf_token(page), "username": "admin",
                                        "password": "wrong-password"})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 200 and 'class="err"' in html and 'value="admin"' in html
    assert client.get("/admin/").status_code == 302


def test_login_never_redirects_to_another_site(client, demo):
    page = client.get("/login?next=//evil.example/x").get_data(as_text=True)
    reply = client.post("/login?next=//evil.example/x", data={
        "csrf_token": csrf_token(page), "username": "admin", "password": "admin-demo-2026"})
    assert reply.status_code == 302 and "evil.example" not in reply.location


def test_logout_needs_a_post_with_csrf(client, demo):
    login(client, "admin")
    assert client.get("/logout").status_code == 405
    page = client.get("/admin/").get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": csrf_token(page)}).status_code == 302
    assert client.get("/admin/").status_code == 302


def test_inactive_account_cannot_log_in(client, demo, db):
    from sqlalchemy import select

    from survey.models import User

    user = db.session.scalars(select(User).where(User.username == "canbo2")).one()
    user.active = False
    db.session.commit()
    login(client, "canbo2")
    assert client.get("/account").status_code == 302


def test_built_in_form_messages_are_in_vietnamese(client, demo):
    page = client.get("/login").get_data(as_text=True)
    reply = client.post("/login", data={"csrf_token": csrf_token(page), "username": "",
                                        "password": ""})
    html = reply.get_data(as_text=True)
    assert "Vui lòng điền thông tin này." in html and "This field is required." not in html
    english = client.post("/login?lang=en", data={"csrf_token": csrf_token(page), "username": "",
                                                  "password": ""}).get_data(as_text=True)
    assert "This field is required." in english


def test_staff_forms_work_over_https_with_the_referer_browsers_send(app, client, demo):
    """Flask-WTF wants a same-origin Referer over HTTPS; our Referrer-Policy must let it through."""
    page = client.get("/login", base_url="https://survey.test")
    assert page.headers["Referrer-Policy"] == "same-origin"
    token = csrf_token(page.get_data(as_text=True))
    reply = client.post("/login", base_url="https://survey.test",
                        headers={"Referer": "https://survey.test/login"},
                        data={"csrf_token": token, "username": "admin",
                              "password": "admin-demo-2026"})
    assert reply.status_code == 302, reply.get_data(as_text=True)[:300]
    elsewhere = client.post("/login", base_url="https://survey.test",
                            headers={"Referer": "https://evil.example/form"},
                            data={"csrf_token": token, "username": "admin",
                                  "password": "admin-demo-2026"})
    assert elsewhere.status_code == 400
