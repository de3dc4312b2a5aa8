"""Index reports for a scope: load the aggregates (``analysis.load``), then the pure ``run``.

The one way the views, the desk, the annual report and the ``survey index`` command compute an
index: the SQL stays in ``analysis/load``, the arithmetic in the pure ``analysis`` modules.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from survey.analysis import load
from survey.analysis.index_report import IndexReport
from survey.analysis.method_spec import MethodSpec
from survey.analysis.run import Scope, index_report, regrouped, respondent_sets
from survey.analysis.tally import Tally
from survey.extensions import db
from survey.models import Unit
from survey.services import org

METHODS_DIR = Path(__file__).resolve().parent.parent / "analysis" / "methods"


def available_methods() -> list[str]:
    """The codes of the method files shipped with the application."""
    return sorted(path.stem for path in METHODS_DIR.glob("*.yaml"))


@lru_cache(maxsize=16)
def load_method(code: str) -> MethodSpec:
    """Read and check the method file ``<code>.yaml``, once per process (a spec is frozen)."""
    return MethodSpec.from_yaml((METHODS_DIR / f"{code}.yaml").read_text(encoding="utf-8"))


def scope(start_day: date | None, end_day: date | None, unit: Unit | None = None,
          **filters: Any) -> Scope:
    """The scope of inclusive local days for a unit's subtree (everything when no unit)."""
    if unit is None:
        return Scope.of(start_day, end_day, **filters)
    return Scope.of(start_day, end_day, unit_code=unit.code, unit_id=unit.id,
                    unit_ids=org.subtree_ids(unit.id), **filters)


def whole_tally(spec: MethodSpec, where: Scope) -> Tally:
    """The scope's counts for the method's questions, as one group."""
    tallies = load.answer_tallies(db.session, codes=spec.question_codes(),
                                  sets=respondent_sets(spec), by=None, **where.filters)
    return tallies.get((), Tally())


def monthly_cells(spec: MethodSpec, where: Scope, by: str | None) -> dict[tuple, Tally]:
    """The scope's counts per (group of ``by`` or None, month), in one pass over the answers.

    The whole, each month and each group are sums of these cells (``regroup``): a response lies
    in one group and one month, so even its respondent counts add up.
    """
    return load.answer_tallies(db.session, codes=spec.question_codes(),
                               sets=respondent_sets(spec), by=by, by_month=True, **where.filters)


def run_index(spec: MethodSpec, where: Scope, by: str | None,
              tallies: dict | None = None) -> IndexReport:
    """Compute ``spec`` over the scope, grouped ``by`` one dimension or not at all.

    ``tallies`` already loaded for the scope (keyed as ``answer_tallies`` keys ``by``: ``()``
    for the whole, months for the periods) save the query.
    """
    if tallies is None:
        tallies = load.answer_tallies(db.session, codes=spec.question_codes(),
                                      sets=respondent_sets(spec), by=by, **where.filters)
    cases = None
    if spec.calculation == "qd766":
        cases = load.case_counts(db.session, start_day=where.start_day, end_day=where.end_day,
                                 start=where.start, end=where.end, unit_ids=where.unit_ids)
    if by is None:
        return index_report(spec, where, None, tallies, cases=cases)
    groups = regrouped(by, tallies, where, org.tree() if by == "unit" else None)
    labels = load.group_labels(db.session, by, list(groups))
    return index_report(spec, where, by, groups, labels=labels, cases=cases)
