"""Transactions against responses: required sample, response rate, months cut by a period (pure).

A period that starts or ends inside a month takes that month's count pro rata to its calendar
days inside the period (10 of 31 days: 10/31 of the count); the weighted counts are summed
exactly and rounded half up to a whole transaction once, at the end. So whole months, quarters
and years count their months in full, and a period of 15-31 January counts 17/31 of January.
Calendar days, not working days: the counts come per month with no daily breakdown, and a month's
working days are not known to a pure function.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date
from fractions import Fraction
from typing import Any

from survey.analysis.sample import required_sample


def month_fraction(month: date, start_day: date | None, end_day: date | None) -> Fraction:
    """Return the share of ``month``'s days within [start_day, end_day]; None is unbounded."""
    first = month.replace(day=1)
    days = calendar.monthrange(first.year, first.month)[1]
    last = first.replace(day=days)
    low = max(first, start_day) if start_day else first
    high = min(last, end_day) if end_day else last
    if high < low:
        return Fraction(0)
    return Fraction((high - low).days + 1, days)


def prorated_total(counts: Iterable[tuple[date, int]], start_day: date | None,
                   end_day: date | None) -> int:
    """Sum (month, count) pairs weighted by ``month_fraction``, rounded half up."""
    exact = sum((count * month_fraction(month, start_day, end_day) for month, count in counts),
                Fraction(0))
    return int(exact + Fraction(1, 2)) if exact else 0


def months_between(start_day: date, end_day: date) -> list[date]:
    """Return the first day of every month that [start_day, end_day] touches."""
    months, month = [], start_day.replace(day=1)
    while month <= end_day:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def coverage(transactions: int | None, responses: int,
             margin: float = 0.05) -> dict[str, Any]:
    """Put ``responses`` beside the sample that ``transactions`` (N) needs at ``margin``.

    Without N (None) only the responses are known. With N = 0 the required sample is 0 and the
    rate is None (nothing to divide by); ``sample_sufficient`` is then None too, since responses
    without transactions mean the count is wrong rather than the sample big enough. A rate above
    100 is kept as it is: it says the counts are too low, which the reader should see.
    """
    if responses < 0 or (transactions is not None and transactions < 0):
        raise ValueError("transactions and responses cannot be negative")
    if transactions is None:
        return {"transactions": None, "required_sample": None, "responses": responses,
                "response_rate": None, "sample_sufficient": None}
    required = required_sample(transactions, margin)
    return {"transactions": transactions, "required_sample": required, "responses": responses,
            "response_rate": round(100 * responses / transactions, 2) if transactions else None,
            "sample_sufficient": responses >= required if transactions else None}
