"""The one-stop evaluation of Decree 61/2018: mean points out of 18 and their distribution (pure).

The total is the sum of the nine criteria's means, each over the respondents who scored it, so a
respondent who skipped a criterion still counts for the others (no respondent is dropped, and a
sum of means equals the mean of sums when everyone answers everything). Interval: each criterion
mean has variance s²/n; the total's is their sum (normal approximation, criteria taken as
independent, which understates the width because they are answered by the same respondents),
clipped to 0..18.
"""

from __future__ import annotations

from typing import Any

from survey.analysis.estimates import Estimate, normal_interval
from survey.analysis.method_spec import MethodSpec
from survey.analysis.sample import small_sample_warning
from survey.analysis.tally import WHOLE, Tally
from survey.rules.messages import Message


def criterion_mean(valid: dict[int, int], points_max: int) -> Estimate:
    """The mean points of one criterion with the normal-approximation interval."""
    n = sum(valid.values())
    if n == 0:
        return Estimate(0, None)
    mean = sum(value * count for value, count in valid.items()) / n
    spread = sum(count * (value - mean) ** 2 for value, count in valid.items())
    variance = spread / (n - 1) / n if n > 1 else 0.0  # variance of the mean
    return Estimate(n, mean, variance, normal_interval(mean, variance, 0.0, points_max))


def decree61_index(spec: MethodSpec, tally: Tally) -> dict[str, Any]:
    """Mean points (out of 9 × scale_max) with the per-criterion means and distributions."""
    warnings: list[Message] = []
    elements: list[dict[str, Any]] = []
    used: list[tuple[float, float]] = []  # (mean, variance) of each answered criterion
    for code in spec.criteria:
        valid = tally.valid(code)
        estimate = criterion_mean(valid, spec.scale_max)
        distribution = {str(p): valid.get(p, 0) for p in range(spec.scale_max + 1)}
        elements.append({"code": code, **estimate.as_dict(), "distribution": distribution})
        if estimate.value is None:
            warnings.append(Message.of("decree61.criterion_left_out", code=code))
        else:
            used.append((estimate.value, estimate.variance))
    n, top = tally.respondents.get(WHOLE, 0), spec.scale_max * len(spec.criteria)
    if not used:
        warnings.append(Message("index.no_valid_answer"))
        total = Estimate(n, None)
    else:
        value, variance = sum(v for v, _ in used), sum(var for _, var in used)
        total = Estimate(n, value, variance, normal_interval(value, variance, 0.0, top))
    if (small := small_sample_warning(n, spec.minimum_sample)) is not None:
        warnings.insert(0, small)
    return {**total.as_dict(), "max_points": top, "elements": elements, "warnings": warnings}
