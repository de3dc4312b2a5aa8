"""Working-day arithmetic over the Vietnamese calendar (pure: no app, no database)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.rules.workdays import (
    CalendarRangeError,
    add_calendar_days,
    add_working_days,
    next_working_day,
    vietnam_calendar,
    working_days_between,
)

CALENDAR = vietnam_calendar([2026, 2027, 2028])


def test_tet_2027_days_are_days_off():
    tet = [date(2027, 2, 4) + timedelta(days=n) for n in range(7)]  # Thu 4 .. Wed 10 February
    assert not any(CALENDAR.is_working_day(day) for day in tet)
    assert CALENDAR.is_working_day(date(2027, 2, 3))
    assert CALENDAR.is_working_day(date(2027, 2, 11))


def test_feedback_received_before_tet_2027_is_due_ten_working_days_later():
    # Received Wed 3 Feb (not counted); 4-10 Feb are Tết. Counted: Thu 11 (1), Fri 12 (2),
    # Mon 15 (3), Tue 16 (4), Wed 17 (5), Thu 18 (6), Fri 19 (7), Mon 22 (8), Tue 23 (9),
    # Wed 24 (10).
    assert add_working_days(CALENDAR, date(2027, 2, 3), 10) == date(2027, 2, 24)


def test_makeup_saturday_2026_08_22_is_a_working_day():
    assert CALENDAR.is_working_day(date(2026, 8, 22))
    # Fri 21 August: the next working day is the make-up Saturday
    assert add_working_days(CALENDAR, date(2026, 8, 21), 1) == date(2026, 8, 22)


def test_day_off_substituted_for_the_makeup_saturday_is_skipped():
    # Fri 28 Aug; Mon 31 Aug (substituted day off), Tue 1 and Wed 2 Sep (National Day) are off
    assert add_working_days(CALENDAR, date(2026, 8, 28), 1) == date(2026, 9, 3)


def test_ordinary_saturday_and_sunday_are_days_off():
    assert not CALENDAR.is_working_day(date(2026, 3, 14))
    assert not CALENDAR.is_working_day(date(2026, 3, 15))


def test_receipt_on_a_weekend_counts_from_the_next_working_day():
    assert add_working_days(CALENDAR, date(2026, 3, 14), 1) == date(2026, 3, 16)


def test_receipt_day_itself_is_not_counted():
    assert add_working_days(CALENDAR, date(2026, 3, 2), 1) == date(2026, 3, 3)


def test_admin_extra_day_off_is_skipped():
    calendar = vietnam_calendar([2026], extra_days_off=[date(2026, 3, 10)])
    assert not calendar.is_working_day(date(2026, 3, 10))
    assert add_working_days(calendar, date(2026, 3, 9), 1) == date(2026, 3, 11)


def test_admin_makeup_saturday_is_a_working_day():
    calendar = vietnam_calendar([2026], makeup_working_days=[date(2026, 3, 14)])
    assert add_working_days(calendar, date(2026, 3, 13), 1) == date(2026, 3, 14)


def test_admin_can_turn_a_holiday_into_a_working_day_only_by_listing_it():
    assert not CALENDAR.is_working_day(date(2026, 4, 27))  # Hùng Kings, observed
    calendar = vietnam_calendar([2026], makeup_working_days=[date(2026, 4, 27)])
    assert calendar.is_working_day(date(2026, 4, 27))


def test_admin_can_cancel_a_decreed_makeup_saturday():
    calendar = vietnam_calendar([2026], extra_days_off=[date(2026, 8, 22)])
    assert not calendar.is_working_day(date(2026, 8, 22))


def test_a_day_in_both_admin_lists_is_refused():
    with pytest.raises(ValueError):
        vietnam_calendar([2026], extra_days_off=[date(2026, 3, 10)],
                         makeup_working_days=[date(2026, 3, 10)])


def test_deadline_crosses_the_year_end_and_new_year_day():
    # Received Wed 30 Dec 2026. Counted: Thu 31 Dec (1); Fri 1 Jan is off; Mon 4 (2), Tue 5 (3),
    # Wed 6 (4), Thu 7 (5), Fri 8 (6), Mon 11 (7), Tue 12 (8), Wed 13 (9), Thu 14 Jan (10).
    assert add_working_days(CALENDAR, date(2026, 12, 30), 10) == date(2027, 1, 14)


def test_deadline_crosses_a_month_end_full_of_holidays():
    # Received Fri 24 Apr 2026. Mon 27 Apr off (Hùng Kings observed); Tue 28 (1), Wed 29 (2);
    # Thu 30 Apr and Fri 1 May off; Mon 4 (3), Tue 5 (4), Wed 6 May (5).
    assert add_working_days(CALENDAR, date(2026, 4, 24), 5) == date(2026, 5, 6)


def test_calendar_day_deadline_on_a_weekday_stays():
    assert add_calendar_days(CALENDAR, date(2026, 3, 2), 3) == date(2026, 3, 5)


def test_calendar_day_deadline_on_a_saturday_moves_to_monday():
    assert add_calendar_days(CALENDAR, date(2026, 3, 2), 5) == date(2026, 3, 9)


def test_calendar_day_deadline_in_tet_moves_past_the_holiday():
    # 6 Jan 2027 + 30 days = Fri 5 Feb (Tết); 6-10 Feb are off too
    assert add_calendar_days(CALENDAR, date(2027, 1, 6), 30) == date(2027, 2, 11)


def test_calendar_day_deadline_on_a_makeup_saturday_stays():
    # 23 Jul 2026 + 30 days = Sat 22 Aug 2026, a make-up working day
    assert add_calendar_days(CALENDAR, date(2026, 7, 23), 30) == date(2026, 8, 22)


def test_next_working_day_keeps_a_working_day():
    assert next_working_day(CALENDAR, date(2026, 3, 2)) == date(2026, 3, 2)
    assert next_working_day(CALENDAR, date(2026, 3, 14)) == date(2026, 3, 16)


def test_working_days_between_counts_after_the_start_up_to_the_end():
    assert working_days_between(CALENDAR, date(2027, 2, 3), date(2027, 2, 24)) == 10
    assert working_days_between(CALENDAR, date(2026, 3, 13), date(2026, 3, 16)) == 1
    assert working_days_between(CALENDAR, date(2026, 3, 13), date(2026, 3, 15)) == 0
    assert working_days_between(CALENDAR, date(2026, 3, 13), date(2026, 3, 13)) == 0


def test_working_days_between_refuses_a_reversed_span():
    with pytest.raises(ValueError):
        working_days_between(CALENDAR, date(2026, 3, 16), date(2026, 3, 13))


def test_deadline_beyond_the_covered_years_is_refused_not_guessed():
    calendar = vietnam_calendar([2026])
    with pytest.raises(CalendarRangeError):
        add_working_days(calendar, date(2026, 12, 30), 10)
    with pytest.raises(CalendarRangeError):
        calendar.is_working_day(date(2027, 1, 4))


def test_package_makeup_days_of_other_years_are_ignored():
    assert all(day.year == 2026 for day in vietnam_calendar([2026]).working_weekend_days)


def test_a_period_of_no_days_is_refused():
    with pytest.raises(ValueError):
        add_working_days(CALENDAR, date(2026, 3, 2), 0)
    with pytest.raises(ValueError):
        add_calendar_days(CALENDAR, date(2026, 3, 2), 0)


starts = st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31))
lengths = st.integers(min_value=1, max_value=60)


@given(start=starts, days=lengths)
def test_working_day_deadline_is_a_later_working_day_and_grows_with_days(start, days):
    due = add_working_days(CALENDAR, start, days)
    assert CALENDAR.is_working_day(due)
    assert due > start
    assert add_working_days(CALENDAR, start, days + 1) > due
    assert working_days_between(CALENDAR, start, due) == days


@given(start=starts, days=lengths)
def test_calendar_day_deadline_is_a_working_day_no_earlier_than_the_plain_sum(start, days):
    due = add_calendar_days(CALENDAR, start, days)
    assert CALENDAR.is_working_day(due)
    assert due >= start + timedelta(days=days)
