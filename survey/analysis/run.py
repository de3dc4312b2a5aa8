"""Run an index method for a scope: load the aggregates (via ``load``) and build the report.

No SQL here: every query is in ``load``; this only chooses which aggregates a method needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from survey.analysis import load
from survey.analysis.grouping import period_key, regroup, roll_up_units
from survey.analysis.method_spec import MethodSpec
from survey.analysis.report import build_report
from survey.analysis.tally import WHOLE, Tally
from survey.rules.org_tree import OrgTree


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
    def of(cls, start_day: date | None, end_day: date | None, unit=None, **filters) -> Scope:
        """The scope of inclusive local days for a unit's subtree (everything when no unit)."""
        from survey.rules.periods import date_range
        from survey.services.org import subtree_ids

        start, end = date_range(start_day, end_day)
        if unit is None:
            return cls(start_day, end_day, start, end, **filters)
        return cls(start_day, end_day, start, end, unit.code, unit.id, subtree_ids(unit.id),
                   **filters)

    @property
    def filters(self) -> dict:
        """The keyword arguments ``load`` takes to restrict responses to this scope."""
        return {"start": self.start, "end": self.end, "unit_ids": self.unit_ids,
                "counter_id": self.counter_id, "procedure_id": self.procedure_id,
                "without_excluded": self.without_excluded}


def respondent_sets(spec: MethodSpec) -> dict[str, list[str]]:
    """The question sets whose distinct respondents are counted: the whole and each element."""
    sets = {WHOLE: spec.question_codes()}
    sets.update({element.code: element.codes for element in spec.elements})
    return sets


def _labelled(session: Session, by: str, tallies: dict, scope: Scope) -> list[tuple[dict, Tally]]:
    if by == "unit":
        tallies = roll_up_units(tallies, scope.unit_id, OrgTree(load.unit_parents(session)))
    elif by in ("quarter", "year"):
        tallies = regroup(tallies, lambda month: period_key(month, by))
    labels = load.group_labels(session, by, list(tallies))
    keyed = [({by: labels.get(k, k)}, tally) for k, tally in tallies.items()]
    return sorted(keyed, key=lambda item: (item[0][by] is None, str(item[0][by])))


def whole_tally(session: Session, spec: MethodSpec, scope: Scope) -> Tally:
    """The scope's counts for the method's questions, as one group."""
    tallies = load.answer_tallies(session, codes=spec.question_codes(), sets=respondent_sets(spec),
                                  by=None, **scope.filters)
    return tallies.get((), Tally())


def monthly_cells(session: Session, spec: MethodSpec, scope: Scope,
                  by: str | None) -> dict[tuple, Tally]:
    """The scope's counts per (group of ``by`` or None, month), in one pass over the answers.

    The whole, each month and each group are sums of these cells (``regroup``): a response lies
    in one group and one month, so even its respondent counts add up.
    """
    return load.answer_tallies(session, codes=spec.question_codes(), sets=respondent_sets(spec),
                               by=by, by_month=True, **scope.filters)


def run_index(session: Session, spec: MethodSpec, scope: Scope, by: str | None,
              tallies: dict | None = None) -> dict:
    """Compute ``spec`` over the scope, grouped ``by`` one dimension or not at all.

    ``tallies`` already loaded for the scope (keyed as ``answer_tallies`` keys ``by``: ``()``
    for the whole, months for the periods) save the query.
    """
    if tallies is None:
        tallies = load.answer_tallies(session, codes=spec.question_codes(),
                                      sets=respondent_sets(spec), by=by, **scope.filters)
    cases = None
    if spec.calculation == "qd766":
        cases = load.case_counts(session, start_day=scope.start_day, end_day=scope.end_day,
                                 start=scope.start, end=scope.end, unit_ids=scope.unit_ids)
    groups = [({}, tally) for tally in tallies.values()] if by is None else \
        _labelled(session, by, tallies, scope)
    header = {"from": scope.start_day.isoformat() if scope.start_day else None,
              "to": scope.end_day.isoformat() if scope.end_day else None,
              "scope": {"unit": scope.unit_code}}
    return build_report(spec, header, groups, by, cases)
