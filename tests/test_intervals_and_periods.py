"""Wilson intervals and Vietnamese calendar periods (pure)."""

import math
from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from survey.analysis.intervals import wilson
from survey.analysis.rates import Share
from survey.rules.periods import date_range, period_starts


def test_wilson_interval_matches_the_formula_worked_by_hand():
    # 8 satisfied of 10, z = 1.96: centre (0.8 + 1.9208/10) / 1.38416 = 0.71675,
    # half-width 1.96 * sqrt(0.8 * 0.2 / 10 + 3.8416 / 400) / 1.38416 = 0.22658
    low, high = wilson(8, 10, z=1.96)
    assert math.isclose(low, 49.02, abs_tol=0.01)
    assert math.isclose(high, 94.33, abs_tol=0.01)


def test_wilson_interval_of_all_satisfied_reaches_100_and_not_beyond():
    low, high = wilson(30, 30)
    assert math.isclose(high, 100.0) and high <= 100.0
    assert math.isclose(low, 88.65, abs_tol=0.01)


def test_no_answers_have_no_interval():
    assert wilson(0, 0) is None
    assert Share(0, 0).index is None and Share(0, 0).ci95 is None


@given(st.integers(min_value=1, max_value=5000).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))))
def test_wilson_interval_holds_the_share_and_stays_within_0_and_100(pair):
    successes, n = pair
    low, high = wilson(successes, n)
    share = 100 * successes / n
    assert 0 <= low <= share + 1e-9 and share - 1e-9 <= high <= 100


def test_share_rounds_to_two_decimals_and_flags_small_samples():
    share = Share(n=263, satisfied=233)
    assert share.index == 88.59
    assert not share.is_small_sample
    assert Share(n=29, satisfied=29).is_small_sample


def test_periods_start_at_midnight_in_vietnam():
    # 2027-01-01 17:30 UTC is already 2 January, 00:30, in Hà Nội (UTC+7).
    starts = period_starts(datetime(2027, 1, 1, 17, 30, tzinfo=UTC))
    assert starts["today"] == datetime(2027, 1, 1, 17, 0, tzinfo=UTC)
    assert starts["month"] == datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    assert starts["year"] == datetime(2026, 12, 31, 17, 0, tzinfo=UTC)


def test_inclusive_local_dates_become_a_half_open_utc_range():
    start, end = date_range(date(2027, 1, 1), date(2027, 12, 31))
    assert start == datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    assert end == datetime(2027, 12, 31, 17, 0, tzinfo=UTC)
