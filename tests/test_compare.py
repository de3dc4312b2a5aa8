"""Comparing two periods: figures worked out by hand, edge cases and properties (pure)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.analysis.compare import (
    Comparison,
    compare_estimates,
    compare_reports,
    two_proportion_test,
    verdict,
)
from survey.analysis.decree61 import criterion_mean
from survey.analysis.estimates import Estimate, weighted_mean
from survey.analysis.method_spec import parse_method
from survey.analysis.qd766 import CaseCounts
from survey.analysis.report import build_report
from survey.analysis.sipas import criterion_estimate
from survey.analysis.tally import WHOLE, Tally
from survey.render.messages import plain
from survey.services.indices import load_method

HEADER = {"from": None, "to": None, "scope": {"unit": None}}
TINY = parse_method({"code": "tiny", "calculation": "sipas", "scale_max": 5,
                     "satisfied_threshold": 4, "minimum_sample": 30, "elements": [
                         {"code": "X", "criteria": ["x1", "x2"]},
                         {"code": "Y", "criteria": ["y1"]}]})


def report(spec, answers: dict, whole: int, cases: CaseCounts | None = None, **sets) -> dict:
    tally = Tally(answers=answers, respondents={WHOLE: whole, **sets})
    return build_report(spec, HEADER, [({}, tally)], None, cases)


def two_sided_p(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2))


# --- the two-proportion test --------------------------------------------------------------


def test_80_of_100_then_70_of_100_is_no_significant_change():
    # pooled share (80 + 70) / 200 = 0.75; SE = sqrt(0.75 · 0.25 · (1/100 + 1/100)) = 0.061237
    # z = (0.70 − 0.80) / 0.061237 = −1.633, two-sided p = 0.1025 (1.644 would be the unpooled SE)
    result = two_proportion_test(80, 100, 70, 100)
    se = math.sqrt(0.75 * 0.25 * (2 / 100))
    assert result.z == pytest.approx(-0.10 / se) == pytest.approx(-1.633, abs=1e-3)
    assert result.p_value == pytest.approx(0.1025, abs=1e-4)
    assert result.difference == pytest.approx(-10.0)
    assert (result.before, result.after) == (80.0, 70.0)
    assert result.ci95[0] < 0 < result.ci95[1]
    assert verdict(result).code == "no_change"
    assert plain(verdict(result).text) == "No significant change"


def test_160_of_200_then_120_of_200_is_significantly_lower():
    # pooled 280/400 = 0.7; SE = sqrt(0.7 · 0.3 · 2/200) = 0.045826; z = −0.2 / 0.045826 = −4.364
    result = two_proportion_test(160, 200, 120, 200)
    assert result.z == pytest.approx(-0.2 / math.sqrt(0.21 * 0.01)) == pytest.approx(-4.364,
                                                                                      abs=1e-3)
    assert result.p_value == pytest.approx(two_sided_p(4.3644), rel=1e-3)
    assert result.p_value < 0.001
    assert result.ci95[1] < 0
    judged = verdict(result)
    assert (judged.code, plain(judged.text)) == ("lower", "Significantly lower")
    assert verdict(two_proportion_test(120, 200, 160, 200)).code == "higher"


def test_the_interval_of_the_change_is_newcombes_hybrid_score_interval():
    # Newcombe (1998), Statistics in Medicine 17:873, example (a): 56/70 − 48/80 = 0.2000,
    # method 10 gives 0.0524 to 0.3339.
    result = two_proportion_test(48, 80, 56, 70)
    assert result.difference == pytest.approx(20.0)
    assert result.ci95 == pytest.approx((5.24, 33.39), abs=0.01)


def test_no_test_is_possible_when_a_period_has_no_answer():
    for result in (two_proportion_test(0, 0, 5, 10), two_proportion_test(5, 10, 0, 0)):
        assert result.z is None and result.p_value is None and result.difference is None
        judged = verdict(result)
        assert (judged.code, plain(judged.text)) == ("not_comparable",
                                                   "Not enough responses to compare")
    assert two_proportion_test(0, 0, 5, 10).after == 50.0


def test_counts_outside_zero_to_n_are_refused():
    with pytest.raises(ValueError):
        two_proportion_test(11, 10, 5, 10)
    with pytest.raises(ValueError):
        two_proportion_test(-1, 10, 5, 10)


def test_two_periods_all_satisfied_show_no_change():
    result = two_proportion_test(50, 50, 80, 80)
    assert (result.z, result.p_value, result.difference) == (0.0, 1.0, 0.0)
    assert result.ci95[0] < 0 < result.ci95[1]  # Wilson keeps a width at 100%
    assert verdict(result).code == "no_change"


def test_a_period_below_the_minimum_sample_is_not_compared_however_clear_the_change():
    result = two_proportion_test(29, 29, 0, 29)
    assert result.p_value < 1e-6
    assert verdict(result).code == "not_comparable"
    assert verdict(result, minimum_sample=20).code == "lower"


def test_alpha_is_a_setting():
    result = two_proportion_test(80, 100, 70, 100)  # p = 0.1025
    assert verdict(result, alpha=0.05).code == "no_change"
    assert verdict(result, alpha=0.11).code == "lower"


# --- means of shares ----------------------------------------------------------------------


def test_compare_estimates_by_hand():
    # z = (85 − 80) / sqrt(4 + 5) = 1.667, p = 0.0956: no change; with variances 1 + 1, z = 3.54
    result = compare_estimates(Estimate(100, 80.0, 4.0), Estimate(120, 85.0, 5.0))
    assert result.z == pytest.approx(5 / 3)
    assert result.p_value == pytest.approx(two_sided_p(5 / 3)) == pytest.approx(0.0956, abs=1e-4)
    assert result.ci95 == pytest.approx((5 - 1.96 * 3, 5 + 1.96 * 3), abs=1e-3)
    assert (result.n_before, result.n_after) == (100, 120)
    assert verdict(result).code == "no_change"
    assert verdict(compare_estimates(Estimate(100, 80.0, 1.0), Estimate(100, 85.0, 1.0))).code \
        == "higher"


def test_compare_estimates_without_a_value_or_a_spread():
    assert verdict(compare_estimates(Estimate(0, None), Estimate(100, 80.0, 2.0))).code \
        == "not_comparable"
    flat = compare_estimates(Estimate(50, 80.0, 0.0), Estimate(50, 80.0, 0.0))
    assert (flat.p_value, verdict(flat).code) == (1.0, "no_change")
    untestable = compare_estimates(Estimate(50, 80.0, 0.0), Estimate(50, 90.0, 0.0))
    assert untestable.difference == 10.0 and untestable.p_value is None


# --- two reports --------------------------------------------------------------------------


def test_compare_satisfaction_rate_reports_uses_the_two_proportion_test():
    spec = load_method("satisfaction-rate")
    before = report(spec, {"overall": {5: 60, 4: 20, 2: 20, None: 7}}, 107)
    after = report(spec, {"overall": {5: 70, 1: 30}}, 100)
    (row,) = compare_reports(before, after)
    expected = two_proportion_test(80, 100, 70, 100)
    assert row["level"] == "overall" and row["code"] is None
    assert row["before"] == {"n": 100, "index": 80.0, "ci95": before["ci95"]}
    assert row["after"]["index"] == 70.0
    assert row["difference"] == -10.0
    assert row["p_value"] == pytest.approx(expected.p_value)
    assert row["ci95"] == [round(v, 2) for v in expected.ci95]
    assert row["verdict"] == "no_change" and plain(row["verdict_text"]) == "No significant change"


@given(st.integers(1, 9999).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_a_share_report_gives_back_its_exact_count_below_ten_thousand(case):
    x, n = case
    figure = {"method": "satisfaction-rate", "n": n, "index": round(100 * x / n, 2), "ci95": None}
    other = {"method": "satisfaction-rate", "n": 40, "index": 50.0, "ci95": None}
    (row,) = compare_reports(figure, other)
    assert row["p_value"] == pytest.approx(two_proportion_test(x, n, 20, 40).p_value)


def test_a_share_report_with_its_satisfied_count_uses_it():
    before = {"method": "satisfaction-rate", "n": 20000, "index": 80.0, "satisfied": 16001,
              "ci95": None}
    after = {"method": "satisfaction-rate", "n": 100, "index": 70.0, "ci95": None}
    (row,) = compare_reports(before, after)
    assert row["p_value"] == pytest.approx(two_proportion_test(16001, 20000, 70, 100).p_value)


def sipas_tallies():
    before = {"x1": {5: 60, 4: 20, 2: 20}, "x2": {4: 70, 3: 30}, "y1": {5: 90, 1: 10}}
    after = {"x1": {5: 40, 4: 25, 2: 35}, "x2": {4: 72, 3: 28}, "y1": {5: 91, 1: 9}}
    return before, after


def true_sipas(answers: dict) -> dict:
    """The index and element estimates with their variances, as sipas_index computes them."""
    tally = Tally(answers=answers, respondents={WHOLE: 100, "X": 100, "Y": 100})
    x = weighted_mean([(1, criterion_estimate(tally, c, 4)) for c in ("x1", "x2")], 100)
    y = weighted_mean([(1, criterion_estimate(tally, "y1", 4))], 100)
    return {"X": x, "Y": y, None: weighted_mean([(1, x), (1, y)], 100)}


def test_compare_sipas_reports_reads_each_variance_back_from_its_interval():
    before, after = sipas_tallies()
    old, new = (report(TINY, a, 100, X=100, Y=100) for a in (before, after))
    rows = compare_reports(old, new)
    assert [(r["level"], r["code"]) for r in rows] == [("overall", None), ("element", "X"),
                                                       ("element", "Y")]
    truth_before, truth_after = true_sipas(before), true_sipas(after)
    for row in rows:
        exact = compare_estimates(truth_before[row["code"]], truth_after[row["code"]])
        assert row["z"] == pytest.approx(exact.z, rel=0.01)
        assert row["p_value"] == pytest.approx(exact.p_value, rel=0.05, abs=1e-6)
    # X: (80 + 70)/2 = 75 -> (65 + 72)/2 = 68.5; the interval readback keeps it significant or not
    x = rows[1]
    assert x["difference"] == -6.5
    assert x["verdict"] == verdict(compare_estimates(truth_before["X"], truth_after["X"])).code


def test_compare_sipas_reports_with_criteria_tests_each_criterion_as_a_share():
    before, after = sipas_tallies()
    old, new = (report(TINY, a, 100, X=100, Y=100) for a in (before, after))
    rows = compare_reports(old, new, criteria=True)
    assert [r["code"] for r in rows] == [None, "X", "x1", "x2", "Y", "y1"]
    x1 = rows[2]
    assert x1["level"] == "criterion"
    assert x1["p_value"] == pytest.approx(two_proportion_test(80, 100, 65, 100).p_value)
    assert x1["verdict"] == "lower"  # z = −2.38, p = 0.017


def test_an_element_only_one_period_has_is_not_compared():
    old = report(TINY, {"x1": {5: 40}, "x2": {5: 40}, "y1": {5: 40}}, 40, X=40, Y=40)
    new = {**old, "elements": [*old["elements"][:1],
                               {"code": "Z", "n": 50, "index": 90.0, "ci95": [80.0, 95.0],
                                "criteria": []}]}
    rows = {r["code"]: r for r in compare_reports(old, new)}
    assert rows["Y"]["after"] is None and rows["Y"]["verdict"] == "not_comparable"
    assert rows["Z"]["before"] is None and rows["Z"]["verdict"] == "not_comparable"


def test_compare_decree61_reports_uses_the_exact_variance_of_the_distributions():
    spec = load_method("decree61")
    before = {f"c{i}": {2: 60, 1: 30, 0: 10} for i in range(1, 10)}
    after = {f"c{i}": {2: 50, 1: 30, 0: 20} for i in range(1, 10)}
    old, new = report(spec, before, 100), report(spec, after, 100)
    rows = compare_reports(old, new)
    assert len(rows) == 10 and rows[0]["level"] == "overall"
    c1_before, c1_after = criterion_mean(before["c1"], 2), criterion_mean(after["c1"], 2)
    assert rows[1]["p_value"] == pytest.approx(compare_estimates(c1_before, c1_after).p_value)
    # the total: 9 × 1.5 = 13.5 -> 9 × 1.3 = 11.7 points, variance 9 times a criterion's
    total = compare_estimates(Estimate(100, 13.5, 9 * c1_before.variance),
                              Estimate(100, 11.7, 9 * c1_after.variance))
    assert rows[0]["difference"] == -1.8
    assert rows[0]["z"] == pytest.approx(total.z)
    assert rows[0]["verdict"] == "lower"


def test_compare_qd766_reports_compares_the_three_ratios_and_no_single_index():
    spec = load_method("qd766")
    old = report(spec, {"overall": {5: 90, 1: 10}}, 100, CaseCounts(100, 90, 100, 5))
    new = report(spec, {"overall": {5: 80, 2: 20}}, 100, CaseCounts(100, 70, 10, 1))
    rows = compare_reports(old, new)
    assert [r["code"] for r in rows] == ["on_time", "feedback_satisfaction",
                                         "procedure_satisfaction"]
    on_time, feedback, procedure = rows
    assert on_time["p_value"] == pytest.approx(two_proportion_test(90, 100, 70, 100).p_value)
    assert on_time["verdict"] == "lower"
    assert feedback["verdict"] == "not_comparable"  # 10 cases resolved: below the minimum
    assert procedure["p_value"] == pytest.approx(two_proportion_test(90, 100, 80, 100).p_value)


def test_reports_of_different_methods_are_refused():
    spec = load_method("satisfaction-rate")
    rate = report(spec, {"overall": {5: 10}}, 10)
    with pytest.raises(ValueError):
        compare_reports(rate, {**rate, "method": "sipas"})


def test_an_empty_period_is_not_comparable():
    spec = load_method("satisfaction-rate")
    empty, full = report(spec, {}, 0), report(spec, {"overall": {5: 40, 1: 10}}, 50)
    (row,) = compare_reports(empty, full)
    assert row["before"]["index"] is None and row["difference"] is None
    assert row["verdict"] == "not_comparable"


# --- properties ---------------------------------------------------------------------------

counts = st.integers(0, 400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))
FLIPPED = {"higher": "lower", "lower": "higher", "no_change": "no_change",
           "not_comparable": "not_comparable"}


@given(counts, counts)
def test_swapping_the_periods_flips_the_sign_and_the_verdict(first, second):
    forward = two_proportion_test(*first, *second)
    backward = two_proportion_test(*second, *first)
    assert verdict(backward).code == FLIPPED[verdict(forward).code]
    if forward.p_value is not None:
        assert backward.z == pytest.approx(-forward.z)
        assert backward.difference == pytest.approx(-forward.difference)
        assert backward.p_value == pytest.approx(forward.p_value)
        assert backward.ci95 == pytest.approx((-forward.ci95[1], -forward.ci95[0]))


@given(counts, counts)
def test_the_p_value_is_a_probability_and_the_interval_holds_the_change(first, second):
    result = two_proportion_test(*first, *second)
    if result.p_value is None:
        assert 0 in (first[1], second[1])
        return
    assert 0.0 <= result.p_value <= 1.0
    low, high = result.ci95
    assert -100.0 - 1e-9 <= low <= result.difference <= high <= 100.0 + 1e-9


@given(st.floats(0, 100), st.floats(0, 100), st.floats(0.01, 50), st.floats(0.01, 50))
def test_swapping_estimates_flips_the_verdict(a, b, var_a, var_b):
    forward = compare_estimates(Estimate(100, a, var_a), Estimate(100, b, var_b))
    backward = compare_estimates(Estimate(100, b, var_b), Estimate(100, a, var_a))
    assert verdict(backward).code == FLIPPED[verdict(forward).code]
    assert isinstance(forward, Comparison) and backward.p_value == pytest.approx(forward.p_value)
