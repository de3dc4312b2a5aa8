"""Working-day arithmetic over the Vietnamese calendar (pure; no Flask, no database).

A working day (ngày làm việc) is Monday to Friday, less public holidays and the administrator's
extra days off, plus the make-up working Saturdays the government decrees.

Counting follows the Civil Code 2015: a period in days starts on the day *after* the event
(Art. 147), so the day of receipt is never counted; and when a period ends on a day off the
deadline moves to the next working day (Art. 148(5)).

A calendar knows which years it covers and refuses any question about another year: a
deadline computed against a missing holiday list would be silently wrong, which is worse than
an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import holidays

SATURDAY = 5
ONE_DAY = timedelta(days=1)


class CalendarRangeError(ValueError):
    """A date falls in a year the calendar does not cover."""


@dataclass(frozen=True)
class WorkCalendar:
    """Days off and working weekend days for a set of covered years."""

    days_off: frozenset[date]
    working_weekend_days: frozenset[date]
    years: frozenset[int]

    def covers(self, day: date) -> bool:
        """Tell whether the calendar knows the holidays of the year of ``day``."""
        return day.year in self.years

    def is_working_day(self, day: date) -> bool:
        """Tell whether ``day`` is a working day; raise CalendarRangeError outside the years."""
        if not self.covers(day):
            raise CalendarRangeError(f"the working calendar does not cover {day.year}")
        if day in self.days_off:
            return False
        return day.weekday() < SATURDAY or day in self.working_weekend_days


def vietnam_calendar(years: Iterable[int], extra_days_off: Iterable[date] = (),
                     makeup_working_days: Iterable[date] = ()) -> WorkCalendar:
    """Build the calendar of the given years from the holidays package plus the admin's lists.

    Precedence, strongest first: the admin's make-up working days, the admin's extra days off,
    the package's holidays (Tết and substituted days off included), the package's make-up
    Saturdays, then Monday to Friday. So the admin can cancel a make-up Saturday (by listing it
    as a day off) or turn a holiday into a working day (only by listing it explicitly). A date
    in both admin lists is a contradiction and raises ValueError.
    """
    covered = frozenset(years)
    if not covered:
        raise ValueError("a working calendar needs at least one year")
    extra_off = {d for d in extra_days_off if d.year in covered}
    makeup = {d for d in makeup_working_days if d.year in covered}
    clash = extra_off & makeup
    if clash:
        raise ValueError(f"listed both as day off and as working day: {sorted(clash)}")
    package = holidays.country_holidays("VN", years=sorted(covered))
    # weekend_workdays also lists years that were not asked for: keep only the covered ones
    package_makeup = {d for d in getattr(package, "weekend_workdays", ()) if d.year in covered}
    days_off = (set(package) | extra_off) - makeup
    working_weekend = {d for d in (package_makeup - days_off) | makeup if d.weekday() >= SATURDAY}
    return WorkCalendar(frozenset(days_off), frozenset(working_weekend), covered)


def next_working_day(calendar: WorkCalendar, day: date) -> date:
    """Return ``day`` if it is a working day, else the first working day after it."""
    while not calendar.is_working_day(day):
        day += ONE_DAY
    return day


def add_working_days(calendar: WorkCalendar, start: date, days: int) -> date:
    """Return the date ``days`` working days after ``start`` (``start`` itself is not counted).

    Receipt on a day off changes nothing: the first working day after it is day 1.
    """
    if days < 1:
        raise ValueError("a period in working days must be at least one day")
    day = start
    while days:
        day += ONE_DAY
        if calendar.is_working_day(day):
            days -= 1
    return day


def add_calendar_days(calendar: WorkCalendar, start: date, days: int) -> date:
    """Return ``start`` plus ``days`` calendar days, moved to the next working day if off."""
    if days < 1:
        raise ValueError("a period in days must be at least one day")
    return next_working_day(calendar, start + timedelta(days=days))


def working_days_between(calendar: WorkCalendar, start: date, end: date) -> int:
    """Count the working days after ``start`` up to and including ``end``.

    This is the inverse of add_working_days: for a working day ``end`` after ``start``,
    ``add_working_days(calendar, start, working_days_between(calendar, start, end)) == end``.
    """
    if end < start:
        raise ValueError("the end of a span cannot come before its start")
    count = 0
    day = start
    while day < end:
        day += ONE_DAY
        count += calendar.is_working_day(day)
    return count
