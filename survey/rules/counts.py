"""What a month's transaction count may be (pure): the rule the form and the import share.

It says which rule a number breaks; ``survey.render.labels.count_problem_text`` says it in words.
"""

from __future__ import annotations

import enum

MAX_TRANSACTIONS = 10_000_000  # per unit and month; more is a typo (and near the INTEGER limit)


class CountProblem(enum.StrEnum):
    NEGATIVE = "negative"
    TOO_MANY = "too_many"


def count_problem(transactions: int) -> CountProblem | None:
    """The rule ``transactions`` breaks as one month's count, or None."""
    if transactions < 0:
        return CountProblem.NEGATIVE
    if transactions > MAX_TRANSACTIONS:
        return CountProblem.TOO_MANY
    return None
