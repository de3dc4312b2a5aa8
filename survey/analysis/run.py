"""Run an index method for a scope on aggregates already loaded: group them and build the report.

Pure: the aggregates come in as arguments. ``survey.services.indices`` loads them through
``load`` (the analysis's one SQL door) and calls ``index_report``; this module only decides
which aggregates a method needs (``respondent_sets``) and how groups are formed and labelled.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from survey.analysis.grouping import period_key, regroup, roll_up_units
from survey.analysis.index_report import IndexReport
from survey.analysis.method_spec import MethodSpec
from survey.analysis.qd766 import CaseCounts
from survey.analysis.report import build_report
from survey.analysis.tally import WHOLE, Tally
from survey.rules.org_tree import OrgTree
from survey.rules.periods import date_range


@dataclass(frozen=True)
class Scope:
    start_day: date | None
    end_day: date | None
    start: datetime | None  # UTC instants of the local days, half-open
    end: datetime | None
    unit_code: str | None = None
    unit_id: int | None = None
    unit_ids: list[int] | None = None
    without_excluded: bool = False  # leave out the responses inspectors excluded
    counter_id: int | None = None
    procedure_id: int | None = None

    @classmethod
    def of(cls, start_day: date | None, end_day: date | None, *, unit_code: str | None = None,
           unit_id: int | None = None, unit_ids: list[int] | None = None,
           **filters: Any) -> Scope:
        """The scope of inclusive local days, for a unit and the ids of its subtree if given.

        ``survey.services.indices.scope`` finds the subtree of a unit row.
        """
        start, end = date_range(start_day, end_day)
        return cls(start_day, end_day, start, end, unit_code, unit_id, unit_ids, **filters)

    @property
    def filters(self) -> dict[str, Any]:
        """The keyword arguments ``load`` takes to restrict responses to this scope."""
        return {"start": self.start, "end": self.end, "unit_ids": self.unit_ids,
                "counter_id": self.counter_id, "procedure_id": self.procedure_id,
                "without_excluded": self.without_excluded}


def respondent_sets(spec: MethodSpec) -> dict[str, list[str]]:
    """The question sets whose distinct respondents are counted: the whole and each element."""
    sets = {WHOLE: spec.question_codes()}
    sets.update({element.code: element.codes for element in spec.elements})
    return sets


def regrouped(by: str, tallies: Mapping[Any, Tally], scope: Scope,
              tree: OrgTree | None = None) -> dict[Any, Tally]:
    """The groups ``by`` asks for: units rolled up under the scope (``tree`` needed), months
    merged into quarters or years, anything else as loaded."""
    if by == "unit":
        if tree is None:
            raise ValueError("grouping by unit needs the unit tree")
        return roll_up_units(dict(tallies), scope.unit_id, tree)
    if by in ("quarter", "year"):
        return regroup(dict(tallies), lambda month: period_key(str(month), by))
    return dict(tallies)


def _labelled(by: str, tallies: Mapping[Any, Tally],
              labels: Mapping[Hashable, Any]) -> list[tuple[dict[str, Any], Tally]]:
    keyed = [({by: labels.get(k, k)}, tally) for k, tally in tallies.items()]
    return sorted(keyed, key=lambda item: (item[0][by] is None, str(item[0][by])))


def index_report(spec: MethodSpec, scope: Scope, by: str | None, tallies: Mapping[Any, Tally],
                 *, labels: Mapping[Hashable, Any] | None = None,
                 cases: CaseCounts | None = None) -> IndexReport:
    """Compute ``spec`` over the scope's ``tallies``, grouped ``by`` one dimension or not at all.

    ``tallies`` are keyed as ``load.answer_tallies`` keys them (``()`` for the whole), already
    ``regrouped`` when ``by`` is given; ``labels`` name the group keys (codes for ids).
    """
    groups = [({}, tally) for tally in tallies.values()] if by is None else \
        _labelled(by, tallies, labels or {})
    header = {"from": scope.start_day.isoformat() if scope.start_day else None,
              "to": scope.end_day.isoformat() if scope.end_day else None,
              "scope": {"unit": scope.unit_code}}
    return build_report(spec, header, groups, by, cases)
