"""Dates shown to people: dd/mm/yyyy in Vietnamese, the month in words in English, never a
two-digit year."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select, text

from survey.models import OutboxMail
from survey.services.escalation import escalate
from survey.web.i18n import local_date, local_datetime
from tests.cases_helpers import new_case, user
from tests.conftest import csrf_token

MOMENT = datetime(2027, 1, 18, 7, 5, tzinfo=UTC)  # 14:05 in Hà Nội


@pytest.mark.parametrize(("lang", "day", "moment"), [
    ("vi", "18/01/2027", "18/01/2027 14:05"),
    ("en", "18 Jan 2027", "18 Jan 2027, 14:05"),
])
def test_dates_have_four_digit_years_in_each_language(app, lang, day, moment):
    with app.test_request_context("/"), force_locale(lang):
        assert local_date(date(2027, 1, 18)) == day
        assert local_datetime(MOMENT) == moment


def test_a_moment_is_shown_in_vietnams_time_even_across_midnight(app):
    with app.test_request_context("/"), force_locale("vi"):
        assert local_datetime(datetime(2027, 12, 31, 18, 30, tzinfo=UTC)) == "01/01/2028 01:30"


@pytest.mark.parametrize(("lang", "pattern"), [
    ("vi", r"\d{2}/\d{2}/\d{4}"),
    ("en", r"\d{1,2} [A-Z][a-z]{2} \d{4}"),
])
def test_the_tracking_page_shows_dates_with_four_digit_years(client, demo, db, lang, pattern):
    _, code = new_case()
    page = client.get(f"/track?lang={lang}").get_data(as_text=True)
    html = client.post("/track", data={"csrf_token": csrf_token(page), "code": code}) \
        .get_data(as_text=True)
    assert re.search(pattern, html)
    assert not re.search(r"\b\d{1,2}/\d{1,2}/\d{2}\b", html)


def test_the_officers_desk_shows_due_dates_as_dd_mm_yyyy(client, demo, db):
    case, _ = new_case()
    due = min(m.due for m in case.milestones)
    handler = case.assignee.username
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"csrf_token": csrf_token(page), "username": handler,
                                "password": f"{handler}-demo-2026"})
    html = client.get("/officer/").get_data(as_text=True)
    assert due.strftime("%d/%m/%Y") in html


def test_deadline_mails_to_staff_print_the_due_date_as_dd_mm_yyyy(app, demo, db):
    user("canbo1").email = user("canbo2").email = user("canbo3").email = "handler@nb.gov.vn"
    db.session.commit()
    case, _ = new_case()
    resolve = next(m for m in case.milestones if m.name == "resolve")
    db.session.execute(text("DELETE FROM mail_outbox"))
    escalate(datetime.combine(resolve.due - timedelta(days=1), datetime.min.time(), UTC))
    db.session.commit()
    bodies = db.session.scalars(select(OutboxMail.body)).all()
    assert any(resolve.due.strftime("%d/%m/%Y") in body for body in bodies)
