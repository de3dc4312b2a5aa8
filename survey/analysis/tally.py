"""The small aggregate every computation reads: answer counts and respondent counts (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field

WHOLE = "*"  # the respondent count over all of the method's questions

# question code -> value (None: no opinion) -> count
QuestionCounts = dict[str, dict[int | None, int]]


@dataclass
class Tally:
    """Counts of one group: ``answers[code][value]`` and distinct ``respondents[set]``."""

    answers: QuestionCounts = field(default_factory=dict)
    respondents: dict[str, int] = field(default_factory=dict)

    def add(self, other: Tally) -> Tally:
        """Add another group's counts into this one (responses never belong to two groups)."""
        for code, values in other.answers.items():
            mine = self.answers.setdefault(code, {})
            for value, count in values.items():
                mine[value] = mine.get(value, 0) + count
        for name, count in other.respondents.items():
            self.respondents[name] = self.respondents.get(name, 0) + count
        return self

    def valid(self, code: str) -> dict[int, int]:
        """The answers to ``code`` with an opinion (no-opinion left out of every denominator)."""
        return {v: c for v, c in self.answers.get(code, {}).items() if v is not None and c}


def merged(tallies: list[Tally]) -> Tally:
    """One tally holding the sum of the given ones."""
    total = Tally()
    for tally in tallies:
        total.add(tally)
    return total
