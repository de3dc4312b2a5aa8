"""Helpers shared by the case tests: file a case through the service, act as staff."""

from __future__ import annotations

from sqlalchemy import select

from survey.extensions import db
from survey.models import Case, CaseKind, Counter, User
from survey.services import cases as case_service
from tests.conftest import csrf_token


def user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def counter(code: str = "NB-Q01") -> Counter:
    return db.session.scalars(select(Counter).where(Counter.code == code)).one()


def new_case(kind: CaseKind = CaseKind.FEEDBACK, **overrides) -> tuple[Case, str]:
    """File a case as a citizen would, and commit it."""
    fields = dict(kind=kind, subject="Chờ quá lâu", description="Chờ 3 tiếng ở quầy 01.",
                  counter=counter(), anonymous=kind is CaseKind.FEEDBACK)
    if kind is CaseKind.COMPLAINT:
        fields.update(name="Nguyễn Văn An", address="12 Trần Hưng Đạo", phone="0912345678",
                      email="an@example.vn", decision_complained="Quyết định 12/QĐ-UBND")
    if kind is CaseKind.DENUNCIATION:
        fields.update(name="Lê Thị Cúc", address="5 Lê Lợi", email="cuc@example.vn",
                      accused_description="Cán bộ quầy 01 đòi tiền", anonymous=False)
    fields.update(overrides)
    case, code = case_service.open_case(case_service.NewCase(**fields))
    db.session.commit()
    return case, code


def staff_post(client, page: str, action: str, data: dict):
    html = client.get(page).get_data(as_text=True)
    return client.post(action, data={"csrf_token": csrf_token(html), **data})
