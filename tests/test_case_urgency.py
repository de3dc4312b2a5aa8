"""Late and due soon, one rule for the desks and the escalation's notices (services/case_access)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, true

from survey.models import CaseState, Milestone, OutboxMail
from survey.models.base import utcnow
from survey.rules import workdays
from survey.services import case_access
from survey.services.case_access import DUE_SOON_WORKING_DAYS, Today, Urgency, urgency
from survey.services.escalation import escalate
from tests.cases_helpers import new_case, user
from tests.conftest import login

CALENDAR = workdays.vietnam_calendar(range(2027, 2028))
# Friday 5 March 2027: the two working days after it are Monday 8 and Tuesday 9.
FRIDAY = Today(date(2027, 3, 5), date(2027, 3, 9), CALENDAR)


def test_a_milestone_past_due_is_late_while_the_clock_runs():
    assert urgency(date(2027, 3, 4), CaseState.IN_PROGRESS, FRIDAY) is Urgency.LATE
    assert urgency(date(2026, 1, 1), CaseState.RECEIVED, FRIDAY) is Urgency.LATE


@pytest.mark.parametrize("due", [date(2027, 3, 5), date(2027, 3, 6), date(2027, 3, 9)])
def test_a_milestone_due_today_or_within_two_working_days_is_due_soon(due):
    assert urgency(due, CaseState.ACCEPTED, FRIDAY) is Urgency.SOON


def test_a_milestone_further_ahead_or_none_is_not_pressing():
    assert urgency(date(2027, 3, 10), CaseState.IN_PROGRESS, FRIDAY) is None
    assert urgency(None, CaseState.IN_PROGRESS, FRIDAY) is None


@pytest.mark.parametrize("state", [CaseState.SUSPENDED, CaseState.WAITING_ON_CITIZEN])
def test_a_case_whose_clock_is_stopped_is_neither_late_nor_due_soon(state):
    assert urgency(date(2027, 3, 1), state, FRIDAY) is None
    assert urgency(date(2027, 3, 5), state, FRIDAY) is None


@pytest.mark.parametrize("state", [CaseState.RESOLVED, CaseState.CLOSED, CaseState.WITHDRAWN])
def test_a_case_no_longer_open_is_never_late(state):
    assert urgency(date(2027, 3, 1), state, FRIDAY) is None


def test_due_soon_counts_working_days_with_the_administrators_calendar(app, db):
    friday_noon = datetime(2027, 3, 5, 5, 0, tzinfo=UTC)  # 12:00 in Vietnam
    today = Today.at(friday_noon)
    assert DUE_SOON_WORKING_DAYS == 2
    assert (today.day, today.soon_until) == (date(2027, 3, 5), date(2027, 3, 9))


def db_milestones(case):
    from survey.extensions import db

    return db.session.scalars(select(Milestone).where(Milestone.case_id == case.id)).all()


def test_desk_rows_mark_late_and_due_soon_with_dates_not_text(app, demo, db):
    late_case, _ = new_case(subject="Trễ hạn")
    soon_case, _ = new_case(subject="Sắp đến hạn")
    today = Today.at(utcnow())
    for milestone in db_milestones(late_case):
        milestone.due = today.day - timedelta(days=3)
    for milestone in db_milestones(soon_case):
        milestone.due = today.day
    db.session.commit()
    rows = {row.case.id: row for row in case_access.desk_rows(
        user("lanhdao"), true(), utcnow())}
    assert isinstance(rows[late_case.id].due, date)  # the data layer gives dates on SQLite too
    assert rows[late_case.id].urgency is Urgency.LATE
    assert rows[soon_case.id].urgency is Urgency.SOON


def test_a_suspended_case_past_its_stale_due_date_is_not_on_the_late_page(client, demo, db):
    running, _ = new_case(subject="Đang xử lý")
    stopped, _ = new_case(subject="Đang tạm đình chỉ")
    for case in (running, stopped):
        for milestone in db_milestones(case):
            milestone.due = milestone.due.replace(year=milestone.due.year - 1)
    stopped.state = CaseState.SUSPENDED
    db.session.commit()
    login(client, "lanhdao")
    html = client.get("/officer/late").get_data(as_text=True)
    assert f"/officer/cases/{running.id}" in html
    assert f"/officer/cases/{stopped.id}" not in html
    queue = client.get("/officer/queue").get_data(as_text=True)
    row = queue.split(f"/officer/cases/{stopped.id}")[1].split("</tr>")[0]
    assert f"/officer/cases/{stopped.id}" in queue and 'class="late"' not in row


def test_escalation_warns_and_reports_late_by_the_same_rule(app, demo, db):
    soon, _ = new_case(subject="Sắp đến hạn")
    late, _ = new_case(subject="Trễ hạn")
    stopped, _ = new_case(subject="Chờ công dân")
    today = Today.at(utcnow())
    for milestone in db_milestones(soon):
        milestone.due = today.soon_until
    for case in (late, stopped):
        for milestone in db_milestones(case):
            milestone.due = today.day - timedelta(days=1)
    stopped.state = CaseState.WAITING_ON_CITIZEN
    db.session.commit()
    before = len(db.session.scalars(select(OutboxMail)).all())
    report = escalate(utcnow())
    db.session.commit()
    assert all(m.warned_at is not None and m.late_notified_at is None
               for m in db_milestones(soon))
    assert all(m.late_notified_at is not None for m in db_milestones(late))
    assert all(m.warned_at is None and m.late_notified_at is None for m in db_milestones(stopped))
    assert report.warned >= len(db_milestones(soon)) and report.late >= len(db_milestones(late))
    assert len(db.session.scalars(select(OutboxMail)).all()) > before
