"""The demo's answers look like a real year: opening hours of working days, a mix of forms,
counters that differ, and a flag page with a few genuine flags, not a quarter of everything."""

import json
from datetime import UTC, datetime, time

import pytest
from sqlalchemy import func, select

from survey.models import Answer, Counter, Response
from survey.models.quality import ResponseFlag
from survey.rules import workdays
from survey.rules.periods import LOCAL_TZ
from survey.services import flags
from survey.services.demo import add_synthetic_responses
from survey.services.demo_activity import BURST_SIZE, opening_slots

# A Saturday evening after Tết 2027 (4-10 February): the year behind it holds Tết, 30 April and
# 1 May, 2 September and weekends, and today has no opening hours left.
NOW = datetime(2027, 2, 20, 13, 0, tzinfo=UTC)  # 20:00 in Vietnam


def local_times(db) -> list[datetime]:
    return [t.astimezone(LOCAL_TZ) for t in db.session.scalars(select(Response.submitted_at))]


def is_opening_hours(moment: datetime) -> bool:
    clock = moment.time()
    return time(7, 30) <= clock < time(11, 30) or time(13, 30) <= clock < time(17, 0)


@pytest.fixture
def year(db, demo):
    added = add_synthetic_responses(3000, seed=4, now=NOW)
    db.session.commit()
    return added


def test_demo_answers_all_fall_in_opening_hours_on_working_days(db, year):
    calendar = workdays.vietnam_calendar([2026, 2027])
    moments = local_times(db)
    assert year == len(moments) == 3000
    assert all(is_opening_hours(m) for m in moments)
    assert all(calendar.is_working_day(m.date()) for m in moments)
    days = {m.date() for m in moments}
    assert not days & {datetime(2027, 2, d).date() for d in range(4, 11)}  # Tết 2027
    assert datetime(2026, 9, 2).date() not in days  # National Day
    assert max(moments) <= NOW and min(moments).date() >= datetime(2026, 2, 21).date()


def test_the_detector_flags_nothing_out_of_hours_and_finds_the_planted_burst(db, year):
    report = flags.detect()
    kinds = dict(db.session.execute(select(ResponseFlag.kind, func.count())
                                    .group_by(ResponseFlag.kind)).all())
    assert report.scanned == 3000
    assert kinds.get("out_of_hours", 0) == 0
    assert kinds.get("burst", 0) >= BURST_SIZE
    assert sum(kinds.values()) < 3000 * 0.01  # a few flags, not a share of everything


def test_running_the_demo_again_adds_nothing(db, year):
    flags.detect()
    flagged = db.session.scalar(select(func.count()).select_from(ResponseFlag))
    answers = db.session.scalar(select(func.count()).select_from(Answer))
    assert add_synthetic_responses(3000, seed=4, now=NOW) == 0
    assert add_synthetic_responses(3000, seed=4) == 0  # a later day: the same keys, none new
    flags.detect()
    assert db.session.scalar(select(func.count()).select_from(Response)) == 3000
    assert db.session.scalar(select(func.count()).select_from(Answer)) == answers
    assert db.session.scalar(select(func.count()).select_from(ResponseFlag)) == flagged


def test_the_mix_is_mostly_quick_forms_with_some_sipas_and_a_few_decree61(db, year):
    from survey.models import Questionnaire, QuestionnaireVersion

    forms = dict(db.session.execute(
        select(Questionnaire.code, func.count()).select_from(Response)
        .join(QuestionnaireVersion).join(Questionnaire).group_by(Questionnaire.code)).all())
    assert forms["quick"] > 0.6 * 3000 and 0.08 * 3000 < forms["sipas"] < 0.3 * 3000
    assert 0 < forms["decree61"] < 0.1 * 3000
    decree61 = set(db.session.scalars(select(Answer.value).where(Answer.question_code == "c1")))
    assert decree61 <= {0, 1, 2}  # its own 0-2 point scale


def test_counters_differ_in_satisfaction_and_volume_follows_the_seasons(db, year):
    rates = db.session.execute(
        select(Counter.code, func.avg((Answer.value >= 4).cast(db.Integer)), func.count())
        .join(Response, Response.counter_id == Counter.id)
        .join(Answer, Answer.response_id == Response.id)
        .where(Answer.question_code == "overall").group_by(Counter.code)).all()
    shares = [share for _code, share, _n in rates]
    assert len(rates) == 11 and max(shares) - min(shares) > 0.08
    months = {}
    for moment in local_times(db):
        months[moment.month] = months.get(moment.month, 0) + 1
    assert months[2] < 0.8 * months[3]  # Tết in February


def test_opening_slots_end_now_and_skip_days_off():
    def weekdays(day):
        return day.weekday() < 5

    slots = opening_slots(datetime(2027, 3, 1).date(), datetime(2027, 3, 7).date(),
                          datetime(2027, 3, 3, 3, 0, tzinfo=UTC), weekdays)  # Wed 10:00 local
    starts = [s.start.astimezone(LOCAL_TZ) for s in slots]
    assert [s.day for s in starts] == [1, 1, 2, 2, 3]
    assert slots[-1].minutes == 150  # 07:30 to 10:00


def test_demo_command_says_which_counter_the_survey_url_belongs_to(app, db):
    runner = app.test_cli_runner()
    data = json.loads(runner.invoke(args=["demo", "--format", "json"]).output)
    counter = data["survey_counter"]
    assert counter["code"] == "NB-Q01" and counter["url"] == data["survey_url"]
    assert counter["unit"] == "Trung tâm Phục vụ hành chính công tỉnh Ninh Bình"
    table = runner.invoke(args=["demo"]).output
    assert f"NB-Q01 \"{counter['name']}\"" in table and counter["url"] in table
    assert "admin-demo-2026" in table


def test_this_months_dossiers_are_a_whole_months_like_any_other(db, demo):
    """The desk cuts a month by the days of it inside the period: the demo must not cut it too."""
    from survey.clock import local_today
    from survey.models import TransactionCount, Unit

    centre = db.session.scalar(select(Unit.id).where(Unit.code == "NB-TTHCC"))
    counts = dict(db.session.execute(select(TransactionCount.month, TransactionCount.transactions)
                                     .where(TransactionCount.unit_id == centre)).all())
    this_month = counts[local_today().replace(day=1)]
    assert this_month > 0.6 * min(counts.values())
