"""Staff error pages keep the staff layout; the logout button ends the header."""

import re

import pytest

from tests.conftest import login


def header(html: str) -> str:
    return re.search(r'<header class="top">(.*?)</header>', html, re.S).group(1)


@pytest.mark.parametrize(("username", "path"), [
    ("admin", "/admin/no-such-page"),
    ("admin", "/admin/counters/999999"),
    ("canbo1", "/officer/cases/999999"),
    ("thanhtra", "/inspect/nothing-here"),
    ("baomat", "/officer/custody/cases/999999"),
])
def test_a_404_inside_a_staff_area_is_a_staff_page(client, demo, username, path):
    login(client, username)
    reply = client.get(path)
    html = reply.get_data(as_text=True)
    assert reply.status_code == 404
    assert '<nav class="staff"' in html and "Đăng xuất" in html
    assert "Không tìm thấy trang" in html and "quét mã QR" not in html  # not the citizen's text
    assert "Quay về trang đầu của tôi" in html


def test_the_staff_404_speaks_the_users_language(client, demo):
    login(client, "admin")
    client.get("/admin/?lang=en")
    html = client.get("/admin/no-such-page").get_data(as_text=True)
    assert '<html lang="en">' in html and "Page not found" in html and "Log out" in html


def test_a_403_inside_a_staff_area_is_a_staff_page(client, demo):
    login(client, "lanhdao")
    reply = client.get("/admin/units")
    assert reply.status_code == 403 and '<nav class="staff"' in reply.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/s/nosuch", "/administrators", "/nothing"])
def test_outside_the_staff_areas_a_404_stays_the_citizens_page(client, demo, path):
    login(client, "admin")
    html = client.get(path).get_data(as_text=True)
    assert '<nav class="staff"' not in html and "quét mã QR" in html


def test_an_anonymous_404_under_admin_shows_no_staff_menu(client, demo):
    reply = client.get("/admin/no-such-page")
    html = reply.get_data(as_text=True)
    assert reply.status_code == 404 and '<nav class="staff"' not in html


def test_the_logout_button_is_the_last_thing_in_the_header(client, demo):
    login(client, "lanhdao")
    top = header(client.get("/officer/").get_data(as_text=True)).strip()
    assert top.endswith("</form>")
    last = top[top.rindex("<form"):]
    assert 'action="/logout"' in last and "Đăng xuất (lanhdao)" in last
    assert top.index('class="lang"') < top.rindex("<form") and top.index("</nav>") < top.index(
        'class="lang"')
