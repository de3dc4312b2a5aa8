"""Share-based indices: the quick satisfaction rate and the SIPAS index (pure).

A criterion's index is the share of its valid answers (no-opinion excluded) at or above the
threshold; an element's is the weighted mean of its answered criteria; the index is the weighted
mean of the elements that have a value. See ``estimates`` for the interval and its limits.
"""

from __future__ import annotations

from typing import Any

from survey.analysis.estimates import Estimate, share_estimate, weighted_mean
from survey.analysis.method_spec import ElementSpec, MethodSpec
from survey.analysis.sample import small_sample_warning
from survey.analysis.tally import WHOLE, Tally
from survey.rules.messages import Message


def criterion_estimate(tally: Tally, code: str, threshold: int) -> Estimate:
    """The share of valid answers to ``code`` that are at or above ``threshold``."""
    valid = tally.valid(code)
    satisfied = sum(count for value, count in valid.items() if value >= threshold)
    return share_estimate(satisfied, sum(valid.values()))


def satisfaction_rate(spec: MethodSpec, tally: Tally) -> dict[str, Any]:
    """The share of ``overall`` answers at or above the threshold, with its Wilson interval."""
    # A share method's file names its question (parse_method checks it).
    estimate = criterion_estimate(tally, spec.question or "", spec.satisfied_threshold)
    warning = small_sample_warning(estimate.n, spec.minimum_sample)
    return {**estimate.as_dict(), "warnings": [warning] if warning else []}


def _element(spec: MethodSpec, element: ElementSpec, tally: Tally,
             warnings: list[Message]) -> tuple[Estimate, dict[str, Any]]:
    criteria: list[dict[str, Any]] = []
    parts: list[tuple[float, Estimate]] = []
    for code, weight in element.criteria:
        estimate = criterion_estimate(tally, code, spec.satisfied_threshold)
        criteria.append({"code": code, **estimate.as_dict()})
        parts.append((weight, estimate))
        if estimate.value is None:
            warnings.append(Message.of("index.criterion_left_out", code=code))
    result = weighted_mean(parts, tally.respondents.get(element.code, 0))
    if result.value is None:
        warnings.append(Message.of("index.element_left_out", code=element.code))
    return result, {"code": element.code, **result.as_dict(), "criteria": criteria}


def sipas_index(spec: MethodSpec, tally: Tally) -> dict[str, Any]:
    """Criteria shares, element means and the SIPAS index with their intervals and warnings."""
    warnings: list[Message] = []
    parts: list[tuple[float, Estimate]] = []
    elements: list[dict[str, Any]] = []
    for element in spec.elements:
        estimate, shown = _element(spec, element, tally, warnings)
        parts.append((element.weight, estimate))
        elements.append(shown)
    n = tally.respondents.get(WHOLE, 0)
    index = weighted_mean(parts, n)
    if index.value is None:
        warnings.append(Message("index.no_valid_answer"))
    elif sum(1 for e in elements for c in e["criteria"] if c["index"] is not None) > 1:
        warnings.append(Message("index.correlated_criteria"))
    if (small := small_sample_warning(n, spec.minimum_sample)) is not None:
        warnings.insert(0, small)
    return {**index.as_dict(), "elements": elements, "warnings": warnings}
