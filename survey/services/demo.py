"""A believable demo organisation: a province, its service centre, three communes, staff of
every role, real-looking procedures, and optional synthetic responses. Idempotent."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from survey.extensions import db
from survey.models import Counter, Procedure, Role, Unit, User
from survey.services import settings
from survey.services.demo_activity import SEASON, add_synthetic_responses  # noqa: F401 - its home
from survey.services.org import save_counter, save_unit
from survey.services.questionnaires import load_builtins
from survey.services.users import create_user

PROVINCE = ("NB", "Tỉnh Ninh Bình", "Tỉnh")
CENTRE = ("NB-TTHCC", "Trung tâm Phục vụ hành chính công tỉnh Ninh Bình", "Trung tâm Phục vụ hành chính công")
CENTRE_COUNTERS = [
    ("NB-Q01", "Quầy 01 – Đất đai, tài nguyên và môi trường"),
    ("NB-Q02", "Quầy 02 – Đăng ký doanh nghiệp, đầu tư"),
    ("NB-Q03", "Quầy 03 – Xây dựng, giao thông vận tải"),
    ("NB-Q04", "Quầy 04 – Tư pháp, lao động và xã hội"),
    ("NB-Q05", "Quầy 05 – Y tế, giáo dục"),
]
COMMUNES = [
    ("HL", "Phường Hoa Lư"),
    ("GV", "Xã Gia Viễn"),
    ("TD", "Phường Tam Điệp"),
]
# (code, name, field, prescribed working days, handled by: "centre", "commune" or "both")
PROCEDURES = [
    ("1.004227", "Đăng ký đất đai, tài sản gắn liền với đất lần đầu", "Đất đai", 20, "centre"),
    ("1.004203", "Đăng ký biến động quyền sử dụng đất do chuyển nhượng, tặng cho", "Đất đai", 10, "centre"),
    ("1.004217", "Cấp đổi Giấy chứng nhận quyền sử dụng đất", "Đất đai", 7, "centre"),
    ("1.004269", "Đính chính Giấy chứng nhận đã cấp", "Đất đai", 10, "centre"),
    ("1.001612", "Đăng ký thành lập doanh nghiệp tư nhân", "Thành lập và hoạt động doanh nghiệp", 3, "centre"),
    ("2.002127", "Đăng ký thành lập công ty trách nhiệm hữu hạn một thành viên", "Thành lập và hoạt động doanh nghiệp", 3, "centre"),
    ("1.010010", "Đăng ký thay đổi nội dung đăng ký doanh nghiệp", "Thành lập và hoạt động doanh nghiệp", 3, "centre"),
    ("1.009972", "Cấp giấy chứng nhận đăng ký đầu tư", "Đầu tư tại Việt Nam", 15, "centre"),
    ("1.009994", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "Hoạt động xây dựng", 15, "centre"),
    ("1.009995", "Cấp giấy phép sửa chữa, cải tạo công trình", "Hoạt động xây dựng", 20, "centre"),
    ("1.002804", "Cấp đổi giấy phép lái xe do ngành Giao thông vận tải cấp", "Đường bộ", 5, "centre"),
    ("1.002835", "Cấp lại giấy phép lái xe", "Đường bộ", 10, "centre"),
    ("1.001978", "Cấp phiếu lý lịch tư pháp cho công dân Việt Nam", "Lý lịch tư pháp", 10, "centre"),
    ("1.000105", "Cấp giấy phép lao động cho người lao động nước ngoài", "Việc làm", 5, "centre"),
    ("1.000041", "Giải quyết hưởng trợ cấp thất nghiệp", "Việc làm", 20, "centre"),
    ("1.001907", "Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh", "Khám bệnh, chữa bệnh", 20, "centre"),
    ("1.005088", "Công nhận trường mầm non đạt chuẩn quốc gia", "Giáo dục và đào tạo", 20, "centre"),
    ("1.001193", "Đăng ký khai sinh", "Hộ tịch", 1, "commune"),
    ("1.000894", "Đăng ký kết hôn", "Hộ tịch", 5, "commune"),
    ("1.000656", "Đăng ký khai tử", "Hộ tịch", 1, "commune"),
    ("1.004884", "Cấp bản sao trích lục hộ tịch", "Hộ tịch", 1, "commune"),
    ("1.004873", "Cấp giấy xác nhận tình trạng hôn nhân", "Hộ tịch", 3, "commune"),
    ("1.001022", "Đăng ký nhận cha, mẹ, con", "Hộ tịch", 3, "commune"),
    ("2.000815", "Chứng thực bản sao từ bản chính giấy tờ, văn bản", "Chứng thực", 1, "both"),
    ("2.000884", "Chứng thực chữ ký trong các giấy tờ, văn bản", "Chứng thực", 1, "both"),
    ("2.001035", "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản", "Chứng thực", 2, "commune"),
    ("1.001776", "Thực hiện trợ cấp xã hội hằng tháng đối với đối tượng bảo trợ xã hội", "Bảo trợ xã hội", 10, "commune"),
    ("1.001758", "Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội", "Bảo trợ xã hội", 3, "commune"),
    ("1.003005", "Xác nhận hộ gia đình làm nông nghiệp có mức sống trung bình", "Bảo trợ xã hội", 5, "commune"),
    ("1.001612-X", "Đăng ký hộ kinh doanh", "Thành lập và hoạt động của hộ kinh doanh", 3, "commune"),
    ("2.000575", "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh", "Thành lập và hoạt động của hộ kinh doanh", 3, "commune"),
    ("1.003554", "Giải quyết tranh chấp đất đai thuộc thẩm quyền cấp xã (hòa giải)", "Đất đai", 45, "commune"),
    ("1.011607", "Cấp giấy phép xây dựng nhà ở riêng lẻ tại xã, phường", "Hoạt động xây dựng", 15, "commune"),
    ("1.004437", "Đăng ký thường trú", "Đăng ký, quản lý cư trú", 7, "commune"),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    unit: str


def _password(username: str) -> str:
    return f"{username}-demo-2026"


def _users(province: Unit, centre: Unit, hubs: list[Unit]) -> list[tuple[str, str, Role, Unit]]:
    users = [
        ("admin", "Quản trị hệ thống", Role.ADMIN, province),
        ("thanhtra", "Nguyễn Thị Thanh (Thanh tra)", Role.INSPECTOR, province),
        ("baomat", "Trần Văn Bảo (Bảo mật danh tính)", Role.CUSTODIAN, province),
        # The centre's director answers to the province: a denunciation about them goes here.
        ("chutich", "Đinh Văn Hùng (Phó Chủ tịch UBND tỉnh)", Role.LEADER, province),
        ("lanhdao", "Lê Minh Đức (Giám đốc Trung tâm)", Role.LEADER, centre),
        ("canbo1", "Phạm Thu Hà", Role.OFFICER, centre),
        ("canbo2", "Hoàng Văn Nam", Role.OFFICER, centre),
        ("canbo3", "Vũ Thị Lan", Role.OFFICER, centre),
    ]
    for i, hub in enumerate(hubs, start=1):
        commune = hub.parent.name if hub.parent else hub.name  # every demo hub has its commune
        users.append((f"lanhdao{i}", f"Lãnh đạo Trung tâm {commune}", Role.LEADER, hub))
        users.append((f"canbo{i}x", f"Công chức một cửa {commune}", Role.OFFICER, hub))
    return users


def build_organisation(with_cases: bool = True) -> list[DemoLogin]:
    """Create the demo units, counters, procedures, users (and sample cases) unless they exist."""
    load_builtins()
    if db.session.scalar(select(Unit).where(Unit.code == PROVINCE[0])) is not None:
        add_transaction_counts()
        return logins()
    province = save_unit(None, code=PROVINCE[0], name=PROVINCE[1], level=PROVINCE[2], parent=None)
    centre = save_unit(None, code=CENTRE[0], name=CENTRE[1], level=CENTRE[2], parent=province)
    for code, name in CENTRE_COUNTERS:
        save_counter(None, unit=centre, code=code, name=name)
    commune_centres = []
    for code, name in COMMUNES:
        commune = save_unit(None, code=f"NB-{code}", name=name, level="Xã, phường", parent=province)
        hub = save_unit(None, code=f"NB-{code}-TT", name=f"Trung tâm Phục vụ hành chính công {name[0].lower()}{name[1:]}",
                        level="Trung tâm Phục vụ hành chính công cấp xã", parent=commune)
        save_counter(None, unit=hub, code=f"NB-{code}-Q1", name="Quầy 1 – Hộ tịch, chứng thực")
        save_counter(None, unit=hub, code=f"NB-{code}-Q2", name="Quầy 2 – Đất đai, xây dựng, kinh doanh")
        commune_centres.append(hub)
    for code, name, field, days, where in PROCEDURES:
        procedure = Procedure(code=code, name=name, field=field, processing_days=days)
        db.session.add(procedure)
        if where in ("centre", "both"):
            centre.procedures.append(procedure)
        if where in ("commune", "both"):
            for hub in commune_centres:
                hub.procedures.append(procedure)
    for username, name, role, unit in _users(province, centre, commune_centres):
        create_user(username, role=role, unit=unit, password=_password(username),
                    display_name=name, email=f"{username}@ninhbinh.example")
    _assign_duty()
    # Where routing ends when nobody else can take a case (survey/routing.py).
    settings.put(settings.INTAKE_UNIT, centre.id)
    add_transaction_counts()
    if with_cases:
        from survey.services.demo_cases import add_demo_cases  # the cases use the whole org

        add_demo_cases(province, centre)
    return logins()


def _assign_duty() -> None:
    officers = list(db.session.scalars(select(User).where(User.role == Role.OFFICER)
                                       .order_by(User.username)))
    for number, counter in enumerate(db.session.scalars(select(Counter).order_by(Counter.code))):
        mine = [o for o in officers if o.unit_id == counter.unit_id]
        if mine:
            counter.officer_on_duty = mine[number % len(mine)]
    db.session.flush()


def logins() -> list[DemoLogin]:
    users = db.session.scalars(select(User).order_by(User.role, User.username))
    return [DemoLogin(u.username, _password(u.username), u.role.value, u.unit.code) for u in users]


# Dossiers a month at the provincial centre and at a commune centre, before the season
# (demo_activity.SEASON).
CENTRE_DOSSIERS, COMMUNE_DOSSIERS = 3200, (640, 520, 430)


def add_transaction_counts(today: date | None = None) -> int:
    """Give each demo service centre its monthly dossiers, last year and this year to date.

    Months that already have a count keep it. This month holds the whole month's dossiers, as
    for any month: the desk itself counts only the days of a month inside the chosen period, so
    a count of the days so far would be cut twice (a response rate ten times too high).
    """
    from survey.clock import local_today
    from survey.models import TransactionCount

    today = today or local_today()
    bases = {CENTRE[0]: CENTRE_DOSSIERS} | {f"NB-{code}-TT": dossiers for (code, _name), dossiers
                                            in zip(COMMUNES, COMMUNE_DOSSIERS, strict=True)}
    units = db.session.scalars(select(Unit).where(Unit.code.in_(bases))).all()
    have = {(unit_id, month) for unit_id, month in db.session.execute(
        select(TransactionCount.unit_id, TransactionCount.month))}
    added = 0
    for unit in units:
        base = bases[unit.code]
        for year in (today.year - 1, today.year):
            for number in range(1, 13 if year < today.year else today.month + 1):
                month = date(year, number, 1)
                if (unit.id, month) in have:
                    continue
                noise = random.Random(f"{unit.code}:{month}").uniform(0.9, 1.1)
                db.session.add(TransactionCount(unit_id=unit.id, month=month, source="import",
                                                transactions=round(base * SEASON[number - 1] * noise)))
                added += 1
    db.session.flush()
    return added
