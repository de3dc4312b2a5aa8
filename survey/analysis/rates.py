"""The quick form's satisfaction rate: share of ``overall`` answers at or above the threshold."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from survey.analysis.intervals import wilson

SATISFIED_THRESHOLD = 4
MIN_SAMPLE = 30


@dataclass(frozen=True)
class Share:
    n: int
    satisfied: int

    @property
    def index(self) -> float | None:
        return None if self.n == 0 else round(100 * self.satisfied / self.n, 2)

    @property
    def ci95(self) -> tuple[float, float] | None:
        interval = wilson(self.satisfied, self.n)
        return None if interval is None else (round(interval[0], 2), round(interval[1], 2))

    @property
    def is_small_sample(self) -> bool:
        return self.n < MIN_SAMPLE

    def as_dict(self) -> dict[str, Any]:
        return {"n": self.n, "index": self.index,
                "ci95": list(self.ci95) if self.ci95 else None}
