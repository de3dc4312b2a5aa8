"""Compare a figure between two periods: a test, the change with its interval, a verdict (pure).

Every change is *after − before*, in points (percentage points, or Decree 61 points), and ``z``
has the same sign. The two periods are taken as independent samples (different respondents).

- A share (the satisfaction rate, a SIPAS criterion, a Decision 766 ratio): the two-proportion
  z test with the pooled standard error ``sqrt(p(1-p)(1/n1 + 1/n2))``, ``p = (x1+x2)/(n1+n2)``.
  The change's 95% interval is Newcombe's hybrid score interval (his method 10), built from the
  two Wilson intervals the reports already show: unlike Wald's it stays within ±100 and keeps a
  width when a share is 0 or 100%. It is not pooled, so at the margin it may exclude 0 while the
  test does not (or the reverse); the verdict follows the test.
- A mean of shares (SIPAS element and index) or mean points (Decree 61): ``z = (b − a) /
  sqrt(var_a + var_b)``, a normal approximation with the variances of ``estimates``, which treat
  criteria as independent and so are too small; such a test calls a change significant a little
  too readily.

Each figure is tested on its own: with an index and five elements, the chance that at least one
is called significant when nothing changed is up to 1 − 0.95⁶ ≈ 26%.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from survey.analysis.decree61 import criterion_mean
from survey.analysis.estimates import Estimate
from survey.analysis.intervals import Z95, wilson
from survey.analysis.rates import MIN_SAMPLE
from survey.rules.messages import Message

Figure = Mapping[str, Any]  # a figure of an index report (or a whole report), read as JSON

# The verdict codes and their sentences, as message codes (put in words by the render layer).
VERDICTS = {
    "higher": Message("verdict.higher"),
    "lower": Message("verdict.lower"),
    "no_change": Message("verdict.no_change"),
    "not_comparable": Message("verdict.not_comparable"),
}


@dataclass(frozen=True)
class Comparison:
    """One figure in two periods; the test fields are None when no test is possible."""

    n_before: int
    n_after: int
    before: float | None
    after: float | None
    difference: float | None = None  # after − before, in points
    ci95: tuple[float, float] | None = None  # of the difference
    z: float | None = None
    p_value: float | None = None  # two-sided


class Verdict(NamedTuple):
    code: str  # higher, lower, no_change or not_comparable
    text: Message  # the sentence, as a message code (survey.render.messages words it)


def _p_value(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2))


def two_proportion_test(x1: int, n1: int, x2: int, n2: int) -> Comparison:
    """Test ``x2/n2`` (after) against ``x1/n1`` (before); no test when either n is 0."""
    for x, n in ((x1, n1), (x2, n2)):
        if n < 0 or not 0 <= x <= max(n, 0):
            raise ValueError("counts must satisfy 0 <= x <= n")
    p1 = x1 / n1 if n1 else None
    p2 = x2 / n2 if n2 else None
    interval1, interval2 = wilson(x1, n1), wilson(x2, n2)  # None exactly when n is 0
    if p1 is None or p2 is None or interval1 is None or interval2 is None:
        return Comparison(n1, n2, None if p1 is None else 100 * p1,
                          None if p2 is None else 100 * p2)
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    # Both shares 0% or both 100%: no difference and no spread, nothing suggests a change.
    z = 0.0 if se == 0 else (p2 - p1) / se
    (low1, high1), (low2, high2) = interval1, interval2
    a, b = 100 * p1, 100 * p2
    difference = b - a
    ci = (difference - math.hypot(b - low2, high1 - a),
          difference + math.hypot(high2 - b, a - low1))
    return Comparison(n1, n2, a, b, difference, ci, z, _p_value(z))


def compare_estimates(before: Estimate, after: Estimate) -> Comparison:
    """Test two estimates with their variances (normal approximation); no test without values."""
    if before.value is None or after.value is None or not before.n or not after.n:
        return Comparison(before.n, after.n, before.value, after.value)
    difference = after.value - before.value
    variance = before.variance + after.variance
    if variance <= 0:
        if difference != 0:  # a change with no measured spread cannot be tested
            return Comparison(before.n, after.n, before.value, after.value, difference)
        return Comparison(before.n, after.n, before.value, after.value, 0.0, (0.0, 0.0), 0.0, 1.0)
    sd = math.sqrt(variance)
    z = difference / sd
    return Comparison(before.n, after.n, before.value, after.value, difference,
                      (difference - Z95 * sd, difference + Z95 * sd), z, _p_value(z))


def verdict(result: Comparison, alpha: float = 0.05, minimum_sample: int = MIN_SAMPLE) -> Verdict:
    """Say whether the figure rose, fell or did not change significantly at ``alpha``."""
    if result.p_value is None or min(result.n_before, result.n_after) < max(minimum_sample, 1):
        code = "not_comparable"
    elif result.p_value < alpha:  # a tested comparison always has its difference
        code = "higher" if (result.difference or 0.0) > 0 else "lower"
    else:
        code = "no_change"
    return Verdict(code, VERDICTS[code])


# --- two `survey index` reports ------------------------------------------------------------


def _calculation(report: Figure) -> str:
    """Which kind of figures a report holds, from its shape (method codes are data)."""
    if "max_points" in report:
        return "points"
    elements = report.get("elements") or []
    if any("criteria" in e for e in elements):
        return "sipas"
    return "qd766" if report.get("n") is None and elements else "share"


def _satisfied(figure: Figure) -> int:
    """The count behind a share: exact from ``index`` and ``n`` while n < 10,000.

    ``index`` is rounded to 2 decimals, so ``index·n/100`` is within n/20,000 of the count.
    """
    if figure.get("satisfied") is not None:
        return int(figure["satisfied"])
    if not figure.get("n") or figure.get("index") is None:
        return 0
    return round(float(figure["index"]) * int(figure["n"]) / 100)


def _from_interval(figure: Figure) -> Estimate:
    """An estimate whose variance is read back from its (possibly clipped) normal interval."""
    n, value, ci = figure.get("n") or 0, figure.get("index"), figure.get("ci95")
    if value is None:
        return Estimate(n, None)
    half = max(value - ci[0], ci[1] - value) if ci else 0.0  # clipping only shortens a side
    return Estimate(n, value, (half / Z95) ** 2)


def _from_distribution(figure: Figure) -> Estimate:
    """A Decree 61 criterion's mean points and variance, exactly, from its distribution."""
    counts = {int(points): count for points, count in figure["distribution"].items() if count}
    top = max(int(points) for points in figure["distribution"])
    return criterion_mean(counts, top)


def _points_total(report: Figure) -> Estimate:
    if not all("distribution" in e for e in report.get("elements", [])):
        return _from_interval(report)
    used = [(e.value, e.variance) for e in map(_from_distribution, report["elements"])
            if e.value is not None]
    if not used:
        return Estimate(report.get("n") or 0, None)
    return Estimate(report.get("n") or 0, sum(value for value, _ in used),
                    sum(variance for _, variance in used))


def _test(kind: str, before: Figure | None, after: Figure | None) -> Comparison:
    if before is None or after is None:  # a figure only one period has
        old, new = before or {}, after or {}
        return Comparison(old.get("n") or 0, new.get("n") or 0, old.get("index"), new.get("index"))
    if kind == "share":
        return two_proportion_test(_satisfied(before), before.get("n") or 0,
                                   _satisfied(after), after.get("n") or 0)
    if kind == "points" and "distribution" in before and "distribution" in after:
        return compare_estimates(_from_distribution(before), _from_distribution(after))
    return compare_estimates(_from_interval(before), _from_interval(after))


def _row(level: str, code: str | None, kind: str, before: Figure | None, after: Figure | None,
         alpha: float, minimum_sample: int, result: Comparison | None = None) -> dict[str, Any]:
    result = result or _test(kind, before, after)
    judged = verdict(result, alpha, minimum_sample)
    shown = ({"n": f.get("n"), "index": f.get("index"), "ci95": f.get("ci95")} if f else None
             for f in (before, after))
    return {"level": level, "code": code, "before": next(shown), "after": next(shown),
            "difference": None if result.difference is None else round(result.difference, 2),
            "ci95": None if result.ci95 is None else [round(v, 2) for v in result.ci95],
            "z": result.z, "p_value": result.p_value,
            "verdict": judged.code, "verdict_text": judged.text}


def _paired(before: list[Figure],
            after: list[Figure]) -> list[tuple[str, Figure | None, Figure | None]]:
    """Figures matched by code: the earlier period's order, then codes new in the later one."""
    later = {f["code"]: f for f in after}
    earlier = {f["code"] for f in before}
    return ([(f["code"], f, later.get(f["code"])) for f in before]
            + [(f["code"], None, f) for f in after if f["code"] not in earlier])


def compare_reports(before: Figure, after: Figure, *, alpha: float = 0.05,
                    minimum_sample: int = MIN_SAMPLE,
                    criteria: bool = False) -> list[dict[str, Any]]:
    """Compare two reports of one method: the overall figure, each element (and criterion).

    Each row: ``level`` (overall, element, criterion), ``code`` (None overall), ``before`` and
    ``after`` ({n, index, ci95} or None when a period lacks the figure), ``difference`` and its
    ``ci95`` (after − before, points, 2 decimals), ``z``, ``p_value``, ``verdict`` (a code of
    ``VERDICTS``) and ``verdict_text``. What a report keeps is enough: a share's count is
    ``index·n/100``, Decree 61 variances come exactly from the distributions, and a SIPAS
    element's or index's from the half-width of its interval (rounded, so within about 1%).
    """
    if before.get("method") != after.get("method"):
        raise ValueError("both reports must come from the same method")
    kind = _calculation(before if before.get("elements") else after)
    args = (alpha, minimum_sample)
    rows = []
    if kind == "points":
        result = compare_estimates(_points_total(before), _points_total(after))
        rows.append(_row("overall", None, kind, before, after, *args, result=result))
    elif kind != "qd766":  # Decision 766 has three ratios and no single index
        rows.append(_row("overall", None, "share" if kind == "share" else "mean", before, after,
                         *args))
    # A share report has no elements; were one to come, "mean" is how it would be tested.
    element_kind = {"sipas": "mean", "points": "points", "qd766": "share"}.get(kind, "mean")
    for code, old, new in _paired(before.get("elements", []), after.get("elements", [])):
        rows.append(_row("element", code, element_kind, old, new, *args))
        if criteria and kind == "sipas":
            for sub, old_c, new_c in _paired((old or {}).get("criteria", []),
                                             (new or {}).get("criteria", [])):
                rows.append(_row("criterion", sub, "share", old_c, new_c, *args))
    return rows
