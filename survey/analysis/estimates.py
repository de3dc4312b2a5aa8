"""Point estimates with their 95% intervals, and the mean of several of them (pure).

Confidence interval for a mean of shares (the SIPAS element and index): a delta-method normal
approximation, ``Var = Σ w_i² p̃_i(1-p̃_i)/ñ_i`` with normalised weights, clipped to 0-100.
Why: only aggregates (counts per question and value) leave the database, so a bootstrap over
respondents is impossible, while this variance needs nothing else. ``p̃`` and ``ñ`` are the
Agresti-Coull adjusted share ``(x + z²/2)/(n + z²)`` and ``n + z²``, so a criterion at 100% still
contributes some width instead of zero. Limits: it treats the criteria as independent samples,
but the same respondents answer every criterion and their answers are positively correlated, so
the interval is too narrow; reports say so in their warnings. A single share uses Wilson.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from survey.analysis.intervals import Z95, wilson


@dataclass(frozen=True)
class Estimate:
    """A value (percent, or points) with its n, variance of the value and a 95% interval."""

    n: int
    value: float | None
    variance: float = 0.0
    ci95: tuple[float, float] | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of INTERFACES.md: n, index and ci95 rounded to 2 decimals."""
        return {"n": self.n, "index": None if self.value is None else round(self.value, 2),
                "ci95": None if self.ci95 is None else [round(self.ci95[0], 2),
                                                        round(self.ci95[1], 2)]}


def share_estimate(satisfied: int, n: int) -> Estimate:
    """A share in percent with its Wilson interval and Agresti-Coull variance (in percent²)."""
    if n <= 0:
        return Estimate(0, None)
    z2 = Z95 * Z95
    adjusted = (satisfied + z2 / 2) / (n + z2)
    variance = 10_000 * adjusted * (1 - adjusted) / (n + z2)
    return Estimate(n, 100 * satisfied / n, variance, wilson(satisfied, n))


def normal_interval(value: float, variance: float, low: float, high: float) -> tuple[float, float]:
    """``value ± z·sd``, clipped to [low, high]."""
    half = Z95 * math.sqrt(max(variance, 0.0))
    return (max(low, value - half), min(high, value + half))


def weighted_mean(parts: list[tuple[float, Estimate]], n: int, high: float = 100.0) -> Estimate:
    """The weighted mean of independent estimates; those without a value are left out."""
    used = [(w, e.value, e) for w, e in parts if e.value is not None]
    total = sum(w for w, _, _ in used)
    if not used or total <= 0:
        return Estimate(n, None)
    value = sum(w * v for w, v, _ in used) / total
    variance = sum((w / total) ** 2 * e.variance for w, _, e in used)
    return Estimate(n, value, variance, normal_interval(value, variance, 0.0, high))
