"""The real-time ratios of Decision 766/QĐ-TTg (2022), from counts of cases and answers (pure).

Definitions (cases outside the body's competence, i.e. refused or forwarded, are left out):

- ``on_time``: cases resolved on or before their ``resolve`` milestone's due date ÷ cases whose
  ``resolve`` due date fell in the period;
- ``feedback_satisfaction``: (cases − cases rated unsatisfied, reopened, or resolved late) ÷ cases,
  over the cases resolved in the period, each case subtracted once;
- ``procedure_satisfaction``: (responses − responses whose ``overall`` is unsatisfied) ÷ responses
  with an ``overall`` answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from survey.analysis.estimates import share_estimate
from survey.analysis.method_spec import MethodSpec
from survey.analysis.sample import small_sample_warning
from survey.analysis.tally import Tally
from survey.rules.messages import Message


@dataclass(frozen=True)
class CaseCounts:
    due_in_period: int = 0  # within competence, resolve milestone due in the period
    on_time: int = 0  # of those, resolved on or before the due date
    resolved: int = 0  # within competence, resolved in the period
    resolved_bad: int = 0  # of those, rated unsatisfied, reopened or resolved late


def _ratio(code: str, good: int, n: int, minimum: int,
           warnings: list[Message]) -> dict[str, Any]:
    if (small := small_sample_warning(n, minimum, code)) is not None:
        warnings.append(small)
    return {"code": code, **share_estimate(good, n).as_dict()}


def qd766_ratios(spec: MethodSpec, cases: CaseCounts, tally: Tally) -> dict[str, Any]:
    """The three ratios as elements (each with n and a Wilson interval); no single index."""
    warnings: list[Message] = []
    valid = tally.valid(spec.question or "")  # a qd766 file names its question (parse_method)
    answered = sum(valid.values())
    unsatisfied = sum(c for v, c in valid.items() if v in spec.unsatisfied_values)
    elements = [
        _ratio("on_time", cases.on_time, cases.due_in_period, spec.minimum_sample, warnings),
        _ratio("feedback_satisfaction", cases.resolved - cases.resolved_bad, cases.resolved,
               spec.minimum_sample, warnings),
        _ratio("procedure_satisfaction", answered - unsatisfied, answered,
               spec.minimum_sample, warnings),
    ]
    return {"n": None, "index": None, "ci95": None, "elements": elements, "warnings": warnings}
