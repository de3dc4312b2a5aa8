"""Sample sizes: the sample a figure needs and the warning when it has less (pure)."""

from __future__ import annotations

import math

from survey.rules.messages import Message


def required_sample(population: int, margin: float = 0.05) -> int:
    """Return the respondents needed for ``population`` transactions: ceil(N / (1 + N·e²))."""
    if population < 0 or not 0 < margin < 1:
        raise ValueError("population must be >= 0 and margin between 0 and 1")
    return math.ceil(population / (1 + population * margin * margin))


def small_sample_warning(n: int, minimum: int, where: str = "") -> Message | None:
    """A warning when ``n`` is below the method's minimum sample, else None."""
    if n >= minimum:
        return None
    if where:
        return Message.of("sample.small_in", where=where, n=n, minimum=minimum)
    return Message.of("sample.small", n=n, minimum=minimum)
