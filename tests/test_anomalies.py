"""Anomaly rules (pure: no app, no database): bursts, identical runs, opening hours, the rules
file, chunked scanning, and the repeat-browser decision of the submission cookie."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.analysis.anomalies import (
    BURST,
    IDENTICAL_RUN,
    OUT_OF_HOURS,
    AnomalyRulesError,
    Closures,
    OpeningHoursRule,
    Record,
    Rules,
    carry_over,
    find_anomalies,
    find_bursts,
    find_identical_runs,
    is_out_of_hours,
    parse_rules,
)
from survey.rules.periods import LOCAL_TZ
from survey.rules.workdays import vietnam_calendar
from survey.web import recent

RULES = Rules()
MONDAY = date(2027, 3, 8)  # an ordinary working week, no holiday near
SIPAS = (("A1", 5), ("A2", 5), ("A3", 5), ("overall", 5))


def local(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A Vietnamese wall-clock time as the aware UTC datetime the database stores."""
    return datetime.combine(day, time(hour, minute, second), tzinfo=LOCAL_TZ).astimezone(UTC)


def rec(id_: int, moment: datetime, counter: int | None = 1, channel: str = "qr",
        answers: tuple = SIPAS, version: int = 2) -> Record:
    return Record(id_, counter, channel, moment, version, answers)


def spaced(times: list[timedelta], **kwargs) -> list[Record]:
    start = local(MONDAY, 9)
    return [rec(i + 1, start + offset, answers=(("overall", i),), **kwargs)
            for i, offset in enumerate(times)]


def minutes(*values: float) -> list[timedelta]:
    return [timedelta(minutes=v) for v in values]


# ---- bursts ---------------------------------------------------------------------------------------

def test_five_answers_within_exactly_three_minutes_are_all_a_burst():
    records = spaced(minutes(0, 0.5, 1, 2, 3))
    assert find_bursts(records, RULES.burst) == {1, 2, 3, 4, 5}


def test_five_answers_spread_over_three_minutes_and_a_second_are_no_burst():
    records = spaced([*minutes(0, 1, 2, 3), timedelta(minutes=3, seconds=1)])
    assert find_bursts(records, RULES.burst) == set()


def test_four_answers_in_one_minute_are_no_burst():
    assert find_bursts(spaced(minutes(0, 0.2, 0.4, 0.6)), RULES.burst) == set()


def test_a_burst_flags_only_the_answers_inside_its_window():
    records = spaced(minutes(0, 10, 11, 11.5, 12, 12.5, 13, 30))
    assert find_bursts(records, RULES.burst) == {2, 3, 4, 5, 6, 7}


def test_answers_at_different_counters_do_not_make_a_burst_together():
    start = local(MONDAY, 9)
    records = [rec(i, start + timedelta(seconds=20 * i), counter=1 + i % 2) for i in range(8)]
    assert find_bursts(records, RULES.burst) == set()


def test_paper_forms_typed_in_at_once_are_no_burst():
    records = spaced(minutes(0, 0, 0, 0, 0, 0), channel="paper")
    assert find_bursts(records, RULES.burst) == set()


def test_answers_without_a_counter_are_never_a_burst():
    records = spaced(minutes(0, 0, 0, 0, 0, 0), counter=None, channel="online")
    assert find_anomalies(records, RULES) == {}


def test_records_out_of_order_are_sorted_before_the_burst_rule_reads_them():
    records = spaced(minutes(0, 1, 2, 3, 20))
    shuffled = [records[4], records[2], records[0], records[3], records[1]]
    assert find_bursts(shuffled, RULES.burst) == set()
    assert find_bursts(spaced(minutes(2, 0, 3, 1, 0.5)), RULES.burst) == {1, 2, 3, 4, 5}


# ---- identical runs -------------------------------------------------------------------------------

def run_of(answers_list: list[tuple], counters: list[int] | None = None,
           versions: list[int] | None = None) -> list[Record]:
    start = local(MONDAY, 9)
    return [rec(i + 1, start + timedelta(minutes=10 * i), answers=answers,
                counter=(counters or [1] * len(answers_list))[i],
                version=(versions or [2] * len(answers_list))[i])
            for i, answers in enumerate(answers_list)]


OTHER = (("A1", 4), ("A2", 5), ("A3", 5), ("overall", 5))


def test_four_identical_answer_sets_in_a_row_are_a_run():
    records = run_of([OTHER, SIPAS, SIPAS, SIPAS, SIPAS, OTHER])
    assert find_identical_runs(records, RULES.identical_run) == {2, 3, 4, 5}


def test_three_identical_answer_sets_in_a_row_are_no_run():
    records = run_of([SIPAS, SIPAS, SIPAS, OTHER, SIPAS])
    assert find_identical_runs(records, RULES.identical_run) == set()


def test_a_run_is_counted_at_one_counter_even_when_another_counter_answers_between():
    records = run_of([SIPAS, OTHER, SIPAS, OTHER, SIPAS, SIPAS], counters=[1, 2, 1, 2, 1, 1])
    assert find_identical_runs(records, RULES.identical_run) == {1, 3, 5, 6}


def test_a_long_run_is_flagged_whole():
    records = run_of([SIPAS] * 9)
    assert find_identical_runs(records, RULES.identical_run) == set(range(1, 10))


def test_the_two_question_quick_form_never_makes_a_run():
    quick = (("attitude", 5), ("overall", 5))
    assert find_identical_runs(run_of([quick] * 8), RULES.identical_run) == set()


def test_the_same_answers_to_another_questionnaire_version_break_a_run():
    records = run_of([SIPAS] * 4, versions=[2, 2, 3, 2])
    assert find_identical_runs(records, RULES.identical_run) == set()


def test_no_opinion_answers_count_as_answers_in_a_run():
    blank = (("A1", None), ("A2", None), ("A3", None))
    assert find_identical_runs(run_of([blank] * 4), RULES.identical_run) == {1, 2, 3, 4}


# ---- opening hours --------------------------------------------------------------------------------

HOURS = OpeningHoursRule()
OPEN_WEEK = Closures()


@pytest.mark.parametrize(("moment", "outside"), [
    (local(MONDAY, 6, 59, 59), True),
    (local(MONDAY, 7, 0), False),
    (local(MONDAY, 12, 0), False),
    (local(MONDAY, 18, 30), False),  # 17:30 closing plus the 60-minute grace, inclusive
    (local(MONDAY, 18, 30, 1), True),
    (local(MONDAY, 23, 0), True),
    (local(MONDAY - timedelta(days=2), 7, 29), True),  # Saturday opens at 07:30
    (local(MONDAY - timedelta(days=2), 7, 30), False),
    (local(MONDAY - timedelta(days=2), 12, 30), False),  # 11:30 plus grace
    (local(MONDAY - timedelta(days=2), 12, 31), True),
    (local(MONDAY - timedelta(days=1), 10, 0), True),  # Sunday: closed
])
def test_opening_hours_in_vietnam_with_grace_after_closing(moment, outside):
    assert is_out_of_hours(moment, HOURS, OPEN_WEEK) is outside


def test_hours_are_read_in_vietnam_time_not_utc():
    saturday_morning = datetime(2027, 3, 6, 0, 30, tzinfo=UTC)  # 07:30 on Saturday in Vietnam
    assert not is_out_of_hours(saturday_morning, HOURS, OPEN_WEEK)
    friday_evening = datetime(2027, 3, 5, 12, 0, tzinfo=UTC)  # 19:00 in Vietnam
    assert is_out_of_hours(friday_evening, HOURS, OPEN_WEEK)


def test_a_public_holiday_is_closed_all_day_and_a_makeup_saturday_keeps_weekday_hours():
    calendar = vietnam_calendar([2026, 2027])
    closures = Closures(calendar.days_off, calendar.working_weekend_days)
    assert is_out_of_hours(local(date(2027, 2, 8), 10), HOURS, closures)  # Tết 2027, a Monday
    makeup = date(2026, 8, 22)  # a make-up working Saturday
    assert not is_out_of_hours(local(makeup, 15), HOURS, closures)
    assert is_out_of_hours(local(makeup, 15), HOURS, OPEN_WEEK)


def test_only_counter_channels_are_checked_for_opening_hours():
    night = local(MONDAY, 2)
    records = [rec(1, night, channel="qr"), rec(2, night, channel="kiosk"),
               rec(3, night, channel="paper"), rec(4, night, channel="online")]
    found = find_anomalies(records, Rules(identical_run=parse_rules(
        {"identical_run": {"enabled": False}}).identical_run))
    assert found == {1: {OUT_OF_HOURS}, 2: {OUT_OF_HOURS}}


def test_a_response_can_carry_several_kinds():
    records = [rec(i, local(MONDAY, 22) + timedelta(seconds=10 * i)) for i in range(1, 6)]
    found = find_anomalies(records, RULES)
    assert found == {i: {BURST, IDENTICAL_RUN, OUT_OF_HOURS} for i in range(1, 6)}


# ---- scanning in chunks ---------------------------------------------------------------------------

record_lists = st.lists(
    st.tuples(st.integers(0, 240), st.sampled_from(["qr", "qr", "paper"]), st.integers(0, 1)),
    min_size=0, max_size=60)


@settings(max_examples=200, deadline=None)
@given(record_lists, st.integers(1, 7))
def test_chunks_with_their_carry_over_find_what_the_whole_list_finds(items, chunk):
    start = local(MONDAY, 9)
    answers = [SIPAS, OTHER]
    records = sorted((rec(i + 1, start + timedelta(minutes=m / 2), channel=channel,
                          answers=answers[a]) for i, (m, channel, a) in enumerate(items)),
                     key=lambda r: (r.submitted_at, r.id))
    whole = find_anomalies(records, RULES)
    pieced: dict[int, set[str]] = {}
    carry: list[Record] = []
    for at in range(0, len(records), chunk):
        batch = carry + records[at:at + chunk]
        for response_id, kinds in find_anomalies(batch, RULES).items():
            pieced.setdefault(response_id, set()).update(kinds)
        carry = carry_over(batch, RULES)
    assert pieced == whole


def test_carry_over_keeps_the_burst_window_and_the_last_answers_of_a_run():
    # the last three answers, which a run continuing in the next chunk may include
    assert [r.id for r in carry_over(spaced(minutes(0, 10, 20, 30, 40)), RULES)] == [3, 4, 5]
    # every answer of the last three minutes, which a burst may include
    burst = spaced(minutes(0, 10, 39, 40, 40.5, 41, 42))
    assert [r.id for r in carry_over(burst, RULES)] == [3, 4, 5, 6, 7]
    assert carry_over([], RULES) == []


# ---- the rules file -------------------------------------------------------------------------------

def test_the_shipped_rules_file_holds_the_documented_defaults():
    from survey.services.flags import load_rules  # the file is read there; parsed here

    assert load_rules() == Rules()


def test_missing_settings_take_the_defaults_and_given_ones_win():
    rules = parse_rules({"burst": {"min_responses": 8}, "out_of_hours": {
        "saturday": "closed", "weekday": "08:00-17:00", "grace_minutes": 0}})
    assert rules.burst.min_responses == 8 and rules.burst.within_minutes == 3
    assert rules.out_of_hours.saturday is None
    assert rules.out_of_hours.weekday == (time(8), time(17))
    assert is_out_of_hours(local(MONDAY, 17, 0, 1), rules.out_of_hours, OPEN_WEEK)
    assert parse_rules(None) == Rules()


def test_a_disabled_rule_flags_nothing():
    rules = parse_rules({"out_of_hours": {"enabled": False}})
    assert find_anomalies([rec(1, local(MONDAY, 2))], rules) == {}


def test_a_wrong_rules_file_is_refused_with_every_problem_and_where():
    with pytest.raises(AnomalyRulesError) as raised:
        parse_rules({"burst": {"min_responses": 0, "within_minute": 3},
                     "identical_run": {"channels": ["fax"]},
                     "out_of_hours": {"weekday": "17:30-07:00", "grace_minutes": -5}})
    where = sorted(error.where for error in raised.value.errors)
    assert where == ["burst.min_responses", "burst.within_minute", "identical_run.channels",
                     "out_of_hours.grace_minutes", "out_of_hours.weekday"]


# ---- one browser answering repeatedly -------------------------------------------------------------

NOW = 1_800_000_000


def test_a_first_answer_is_no_repeat():
    assert not recent.is_repeat_browser({}, "Q1", NOW)


def test_answering_a_second_counter_is_ordinary_and_a_third_within_the_hour_is_a_repeat():
    assert not recent.is_repeat_browser({"Q1": NOW - 600}, "Q2", NOW)
    assert recent.is_repeat_browser({"Q1": NOW - 3000, "Q2": NOW - 600}, "Q3", NOW)


def test_answers_older_than_an_hour_are_forgotten():
    assert not recent.is_repeat_browser({"Q1": NOW - 3600, "Q2": NOW - 4000}, "Q3", NOW)
    assert not recent.is_repeat_browser({"Q1": NOW - 3600}, "Q1", NOW)


def test_answering_the_same_counter_again_within_the_hour_is_a_repeat():
    assert recent.is_repeat_browser({"Q1": NOW - 1200}, "Q1", NOW)
