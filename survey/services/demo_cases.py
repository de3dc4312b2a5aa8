"""The demo's cases: a few in every state, at every level, so each desk shows real work at once.

Each case is filed and moved through the same services a citizen and the staff use (routing,
deadlines, audit trail, mail), online or recorded from paper some working days ago, so the desks
show cases due soon and late beside fresh ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from survey.extensions import db
from survey.models import Case, CaseChannel, CaseKind, Counter, Role, RoutingRule, Unit, User
from survey.models.base import utcnow
from survey.services import milestones
from survey.services.cases import NewCase, open_case, rate_answer, take_action
from survey.services.withdrawals import withdraw

COMPLAINANT = {"name": "Nguyễn Văn An", "address": "12 Trần Hưng Đạo, phường Hoa Lư",
               "phone": "0912000111"}
DENOUNCER = {"name": "Lê Thị Cúc", "address": "5 Lê Lợi, phường Hoa Lư"}


@dataclass(frozen=True)
class Scenario:
    kind: CaseKind
    unit: str  # where the case is filed (a counter's code, or a unit's code)
    subject: str
    description: str
    steps: tuple[str, ...] = ()  # workflow actions, then "rate", "withdraw", "withdraw_part"
    days_ago: int = 0  # working days since it was received on paper (0: online, today)
    extra: dict = field(default_factory=dict)


SCENARIOS = (
    Scenario(CaseKind.FEEDBACK, "NB-Q01", "Không có chỗ ngồi chờ",
             "Sáng thứ Hai khu chờ quầy 01 hết ghế, người già phải đứng."),
    Scenario(CaseKind.COMPLAINT, "NB-Q01", "Hồ sơ bị trả lại không rõ lý do",
             "Hồ sơ đăng ký biến động đất đai bị trả lại mà không nêu lý do.",
             extra={**COMPLAINANT, "decision_complained":
                    "Văn bản trả hồ sơ số 45/TB-TTHCC ngày 02/11/2026"}),
    Scenario(CaseKind.DENUNCIATION, "NB-Q01", "Gợi ý nộp tiền ngoài quy định",
             "Khi nộp hồ sơ tôi được gợi ý nộp thêm 500.000 đồng để được giải quyết nhanh.",
             extra={**DENOUNCER, "accused": "canbo1", "accused_description":
                    "Công chức quầy 01 gợi ý nộp thêm tiền để được giải quyết nhanh"}),
    Scenario(CaseKind.FEEDBACK, "NB-HL-TT", "Máy lấy số thứ tự bị hỏng", "Máy lấy số ở phường "
             "Hoa Lư hỏng cả tuần, người dân phải chen nhau.", days_ago=12),
    Scenario(CaseKind.FEEDBACK, "NB-GV-TT", "Niêm yết thủ tục chưa đầy đủ", "Bảng niêm yết "
             "thiếu thủ tục đăng ký kết hôn và lệ phí.", ("accept", "start"), days_ago=8),
    Scenario(CaseKind.COMPLAINT, "NB-TTHCC", "Không đồng ý mức phí thẩm định",
             "Tôi bị thu phí thẩm định cao hơn mức niêm yết.", ("accept", "ask_citizen"),
             days_ago=6, extra={**COMPLAINANT, "decision_complained": "Biên lai thu phí số 0123"}),
    Scenario(CaseKind.COMPLAINT, "NB-TD-TT", "Từ chối cấp giấy phép xây dựng",
             "Hồ sơ xin phép xây dựng nhà ở bị từ chối dù đủ giấy tờ.",
             ("accept", "start", "suspend"), days_ago=15,
             extra={**COMPLAINANT, "decision_complained": "Văn bản số 12/UBND ngày 01/10/2026"}),
    Scenario(CaseKind.FEEDBACK, "NB-Q02", "Cán bộ hướng dẫn tận tình", "Xin cảm ơn cán bộ quầy "
             "02 đã hướng dẫn tôi rất kỹ.", ("accept", "resolve", "rate"), days_ago=4),
    Scenario(CaseKind.FEEDBACK, "NB-Q03", "Đề nghị bổ sung chỗ để xe",
             "Bãi xe trước trung tâm quá chật.", ("accept", "resolve", "close"), days_ago=20),
    Scenario(CaseKind.COMPLAINT, "NB-Q04", "Khiếu nại quyết định xử phạt giao thông",
             "Tôi khiếu nại quyết định xử phạt vi phạm giao thông.", ("refuse",), days_ago=3,
             extra={**COMPLAINANT, "decision_complained": "Quyết định xử phạt số 88/QĐ-XPHC"}),
    Scenario(CaseKind.COMPLAINT, "NB-Q05", "Khiếu nại về chế độ bảo hiểm y tế",
             "Tôi không được thanh toán chi phí khám chữa bệnh.", ("forward",), days_ago=2,
             extra={**COMPLAINANT, "decision_complained": "Thông báo từ chối thanh toán số 7"}),
    Scenario(CaseKind.COMPLAINT, "NB-GV-TT", "Khiếu nại việc trả hồ sơ hộ tịch",
             "Hồ sơ khai sinh của con tôi bị trả lại.", ("accept", "withdraw"), days_ago=5,
             extra={**COMPLAINANT, "decision_complained": "Phiếu trả hồ sơ ngày 20/11/2026"}),
    Scenario(CaseKind.DENUNCIATION, "NB-HL-TT", "Tố cáo cán bộ gây khó khăn",
             "Cán bộ một cửa phường yêu cầu giấy tờ ngoài quy định và có thái độ hách dịch.",
             ("accept", "withdraw_part"), days_ago=7,
             extra={**DENOUNCER, "accused": "canbo1x", "accused_description":
                    "Công chức một cửa phường Hoa Lư"}),
    Scenario(CaseKind.DENUNCIATION, "NB-TTHCC", "Tố cáo việc thu tiền trái quy định",
             "Có người nhận tiền để hồ sơ được ưu tiên.", ("accept", "terminate"), days_ago=10,
             extra={**DENOUNCER, "accused": "canbo2", "accused_description":
                    "Công chức Trung tâm Phục vụ hành chính công tỉnh",
                    "channel": CaseChannel.FORWARDED,
                    "forwarded_from": "Thanh tra tỉnh Ninh Bình",
                    "forwarded_from_ref": "15/PC-TTr"}),
    Scenario(CaseKind.COMPLAINT, "NB-TD-TT", "Khiếu nại lần hai về đền bù giải phóng mặt bằng",
             "Tôi không đồng ý với kết quả giải quyết khiếu nại lần đầu.", ("accept",),
             days_ago=9, extra={**COMPLAINANT, "complaint_round": 2,
                                "decision_complained": "Quyết định giải quyết khiếu nại số 5"}),
)

REASONS = {"ask_citizen": "Đề nghị ông bổ sung bản sao biên lai thu phí.",
           "suspend": "Tạm đình chỉ để chờ kết quả giám định hiện trạng công trình.",
           "resolve": "Trung tâm đã tiếp thu và xử lý; xin cảm ơn ông/bà đã phản ánh.",
           "refuse": "Quyết định xử phạt không thuộc thẩm quyền giải quyết của Trung tâm.",
           "forward": "Chuyển Bảo hiểm xã hội tỉnh giải quyết theo thẩm quyền.",
           "terminate": "Đình chỉ giải quyết vì người bị tố cáo đã nghỉ hưu và vụ việc đã được "
                        "cơ quan khác giải quyết."}


def add_demo_cases(province: Unit, centre: Unit) -> int:
    """File the demo's cases (once) and move each to its state; return how many were filed."""
    db.session.add(RoutingRule(kind=CaseKind.FEEDBACK.value, unit_id=province.id,
                               procedure_field="Đất đai", handling_unit_id=centre.id,
                               note="Phản ánh về đất đai do Trung tâm tỉnh xử lý"))
    db.session.flush()
    recorder = _user("canbo3")
    for scenario in SCENARIOS:
        case = _file(scenario, recorder)
        for step in scenario.steps:
            _take(case, step)
    db.session.flush()
    return len(SCENARIOS)


def _file(scenario: Scenario, recorder: User) -> Case:
    counter = db.session.scalar(select(Counter).where(Counter.code == scenario.unit))
    unit = counter.unit if counter else db.session.scalar(
        select(Unit).where(Unit.code == scenario.unit))
    extra = dict(scenario.extra)
    accused = _user(extra.pop("accused")) if "accused" in extra else None
    new = NewCase(kind=scenario.kind, subject=scenario.subject,
                  description=scenario.description, unit=unit, counter=counter, accused=accused,
                  anonymous=scenario.kind is CaseKind.FEEDBACK, **extra)
    if scenario.days_ago:
        new.received_on = _working_days_before(scenario.days_ago)
        new.channel = extra.get("channel", CaseChannel.POST)
        new.recorded_by, new.consent_on_paper = recorder, True
    case, _code = open_case(new)
    return case


def _working_days_before(count: int):
    """The day ``count`` working days before today (Vietnam's calendar)."""
    day = milestones.local_day(utcnow())
    calendar = milestones.calendar(day)
    while count:
        day -= timedelta(days=1)
        count -= calendar.is_working_day(day)
    return day


def _take(case: Case, step: str) -> None:
    if step == "rate":
        rate_answer(case, satisfied=True)
    elif step in ("withdraw", "withdraw_part"):
        withdraw(case, whole=step == "withdraw", reason="Tôi đã được giải thích và đồng ý.",
                 points="Nội dung về thái độ của cán bộ" if step == "withdraw_part" else "")
    else:
        actor = case.assignee
        if step in ("suspend", "terminate") and actor.role is not Role.LEADER:
            actor = db.session.scalar(select(User).where(User.unit_id == actor.unit_id,
                                                         User.role == Role.LEADER))
        take_action(case, step, actor=actor, text=REASONS.get(step, ""),
                    forwarded_to="Bảo hiểm xã hội tỉnh Ninh Bình" if step == "forward" else "")


def _user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()
