"""The filing form's office list: nothing chosen for the citizen, only offices that handle cases."""

import re

import pytest
from sqlalchemy import func, select

from survey.models import Case, Counter, Role, Unit
from survey.rules.unit_tree import UnitRow, grouped_by_level, tree_order
from survey.services.org import save_unit
from survey.services.users import create_user
from tests.conftest import csrf_token

TYPED = {"subject": "Chờ quá lâu <b>ở quầy</b>",
         "description": "Tôi chờ 3 tiếng tại quầy mà không được tiếp."}


def unit_select(html: str) -> str:
    return re.search(r"<select[^>]*id=\"unit_id\".*?</select>", html, re.S).group(0)


def offered_names(html: str) -> list[str]:
    return re.findall(r'<option [^>]*value="\d+"[^>]*>([^<]+)</option>', unit_select(html))


def groups(html: str) -> list[str]:
    return re.findall(r'<optgroup label="([^"]+)">', unit_select(html))


def unit_id(db, code: str) -> int:
    return db.session.scalar(select(Unit.id).where(Unit.code == code))


def post_form(client, kind: str, data: dict, query: str = ""):
    page = client.get(f"/cases/new/{kind}{query}").get_data(as_text=True)
    return client.post(f"/cases/new/{kind}{query}", content_type="multipart/form-data",
                       data={"csrf_token": csrf_token(page), **data})


def case_count(db) -> int:
    return db.session.scalar(select(func.count(Case.id)))


@pytest.mark.parametrize("kind", ["feedback", "complaint", "denunciation"])
def test_without_a_counter_no_office_is_chosen_in_advance(client, demo, kind):
    select_html = unit_select(client.get(f"/cases/new/{kind}").get_data(as_text=True))
    first = re.search(r"<option[^>]*>[^<]*</option>", select_html).group(0)
    assert first == '<option selected value="">— Chọn cơ quan —</option>'
    assert select_html.count("selected") == 1


def test_offices_are_grouped_by_level_in_tree_order_with_full_names(client, demo, db):
    html = client.get("/cases/new/feedback").get_data(as_text=True)
    # the province is offered for its leader, the Vice Chairman (a denunciation about the
    # centre's director is his to handle, and citizens may write to the province itself)
    assert groups(html) == ["Tỉnh", "Trung tâm Phục vụ hành chính công",
                            "Trung tâm Phục vụ hành chính công cấp xã"]
    assert offered_names(html) == [
        "Tỉnh Ninh Bình",
        "Trung tâm Phục vụ hành chính công tỉnh Ninh Bình",
        "Trung tâm Phục vụ hành chính công phường Hoa Lư",
        "Trung tâm Phục vụ hành chính công phường Tam Điệp",
        "Trung tâm Phục vụ hành chính công xã Gia Viễn",
    ]


def test_offices_without_counters_or_handlers_are_not_offered(client, demo, db):
    province = db.session.get(Unit, unit_id(db, "NB"))
    save_unit(None, code="NB-STP", name="Sở Tư pháp", level="Sở", parent=province)
    board = save_unit(None, code="NB-BQL", name="Ban Quản lý dự án", level="Ban", parent=province)
    create_user("bql", role=Role.INSPECTOR, unit=board, password="x" * 12, display_name="BQL")
    retired = save_unit(None, code="NB-CU", name="Văn phòng cũ", level="Văn phòng",
                        parent=province)
    db.session.add(Counter(unit=retired, code="NB-CU-Q1", name="Quầy cũ", survey_code="oldq1",
                           active=False))
    db.session.commit()

    names = offered_names(client.get("/cases/new/complaint").get_data(as_text=True))

    # the communes themselves have no one; an inspector does not handle cases; a closed counter
    # serves no one
    for absent in ("Phường Hoa Lư", "Xã Gia Viễn", "Sở Tư pháp",
                   "Ban Quản lý dự án", "Văn phòng cũ"):
        assert absent not in names


def test_an_office_with_only_a_leader_is_offered_before_the_communes(client, demo, db):
    province = db.session.get(Unit, unit_id(db, "NB"))
    justice = save_unit(None, code="NB-STP", name="Sở Tư pháp", level="Sở", parent=province)
    create_user("stp", role=Role.LEADER, unit=justice, password="x" * 12,
                display_name="Giám đốc Sở Tư pháp")
    db.session.commit()

    html = client.get("/cases/new/feedback").get_data(as_text=True)

    assert groups(html) == ["Tỉnh", "Sở", "Trung tâm Phục vụ hành chính công",
                            "Trung tâm Phục vụ hành chính công cấp xã"]
    assert offered_names(html)[:2] == ["Tỉnh Ninh Bình", "Sở Tư pháp"]


def test_with_a_counter_its_office_stays_chosen(client, demo, db):
    html = client.get("/cases/new/feedback?counter=NB-HL-Q1").get_data(as_text=True)
    chosen = re.search(r'<option selected value="(\d+)">([^<]+)</option>', unit_select(html))
    assert int(chosen.group(1)) == unit_id(db, "NB-HL-TT")
    assert chosen.group(2) == "Trung tâm Phục vụ hành chính công phường Hoa Lư"


def test_sending_without_an_office_is_refused_clearly_and_keeps_what_was_typed(client, demo, db):
    reply = post_form(client, "feedback", {"unit_id": "", "anonymous": "y", **TYPED})

    assert reply.status_code == 400 and case_count(db) == 0
    html = reply.get_data(as_text=True)
    assert re.search(r'<p class="err" id="err-unit_id">Vui lòng chọn cơ quan mà Ông/Bà gửi '
                     r"đơn đến.</p>", html)
    assert 'value="Chờ quá lâu &lt;b&gt;ở quầy&lt;/b&gt;"' in html
    assert "Tôi chờ 3 tiếng tại quầy mà không được tiếp.</textarea>" in html
    assert 'aria-describedby="err-unit_id"' in unit_select(html)


def test_sending_without_an_office_is_refused_in_english_too(client, demo, db):
    page = client.get("/cases/new/feedback?lang=en").get_data(as_text=True)
    assert "— Choose an office —" in page
    reply = client.post("/cases/new/feedback", data={"csrf_token": csrf_token(page),
                                                     "unit_id": "", **TYPED})
    assert reply.status_code == 400
    assert "Please choose the office your case is about." in reply.get_data(as_text=True)


@pytest.mark.parametrize("posted", ["NB-HL", "1\x00", "99999999999999999999", "-1", "٣", " 1"])
def test_an_office_not_on_the_list_is_refused_without_an_error_page(client, demo, db, posted):
    # NB-HL, the commune itself, has neither a counter nor staff: its centre is offered instead
    value = str(unit_id(db, "NB-HL")) if posted == "NB-HL" else posted
    reply = post_form(client, "feedback", {"unit_id": value, "anonymous": "y", **TYPED})
    assert reply.status_code == 400 and case_count(db) == 0
    assert "Vui lòng chọn một cơ quan trong danh sách." in reply.get_data(as_text=True)


def test_a_chosen_office_is_kept_and_the_case_goes_there(client, demo, db):
    hub = unit_id(db, "NB-GV-TT")
    reply = post_form(client, "feedback", {"unit_id": str(hub), "anonymous": "y", **TYPED})
    assert reply.status_code == 200 and "receipt" in reply.get_data(as_text=True)
    assert db.session.scalars(select(Case)).one().unit_id == hub


def test_showing_an_offices_lists_fills_procedures_and_officers_and_stores_nothing(
        client, demo, db):
    hub = unit_id(db, "NB-GV-TT")
    reply = post_form(client, "denunciation", {"unit_id": str(hub), "action": "refresh",
                                               "accused_description": "Cán bộ đòi tiền",
                                               **TYPED})

    assert reply.status_code == 200 and case_count(db) == 0
    html = reply.get_data(as_text=True)
    assert 'class="err"' not in html and 'role="alert"' not in html
    assert "Đăng ký khai sinh" in html  # a commune procedure
    assert "Công chức một cửa Xã Gia Viễn" in html  # an officer of that office
    assert f'<option selected value="{hub}">' in unit_select(html)
    assert "Cán bộ đòi tiền</textarea>" in html


def test_the_default_button_of_the_filing_form_sends_it(client, demo):
    html = client.get("/cases/new/feedback").get_data(as_text=True)
    form = html[html.index('<form method="post"'):]
    first_button = re.search(r"<button[^>]*>", form).group(0)
    assert 'name="action"' not in first_button and 'type="submit"' in first_button


# ---- the pure ordering ---------------------------------------------------------------------------

def test_tree_order_is_depth_first_with_siblings_by_name():
    rows = [UnitRow(1, None, "Tỉnh", "Tỉnh"), UnitRow(2, 1, "Xã B", "Xã"),
            UnitRow(3, 1, "Trung tâm", "TT"), UnitRow(4, 2, "TT xã B", "TT xã"),
            UnitRow(5, 1, "Xã A", "Xã"), UnitRow(6, 5, "TT xã A", "TT xã")]
    assert [(u.id, d) for u, d in tree_order(rows)] == [(1, 0), (3, 1), (5, 1), (6, 2),
                                                        (2, 1), (4, 2)]


def test_groups_follow_their_shallowest_unit_and_skip_units_not_kept():
    rows = [UnitRow(1, None, "Tỉnh", "Tỉnh"), UnitRow(2, 1, "A xã", "Xã"),
            UnitRow(3, 2, "TT A", "TT xã"), UnitRow(4, 1, "Z sở", "Sở")]
    assert [(level, [u.id for u in units])
            for level, units in grouped_by_level(rows, {3, 4})] == [("Sở", [4]), ("TT xã", [3])]


def test_a_unit_whose_parent_is_missing_is_kept_as_a_root():
    rows = [UnitRow(7, 99, "Mồ côi", "Xã")]
    assert grouped_by_level(rows, {7}) == [("Xã", rows)]
