"""The administrator's first page: responses and satisfaction rate today, this month, this year.

Every active counter in the viewer's units is listed, with zeros when it has no response yet: a
counter that stays at zero is news too (a poster not put up, a code torn off). Responses without a
counter (paper, online) and those of a counter since closed keep their own rows. The total pools
the answers, it does not average the rates.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from survey.analysis import load
from survey.analysis.rates import Share
from survey.extensions import db
from survey.models import Counter, Unit
from survey.rules.periods import period_starts

PERIODS = ("today", "month", "year")


def _empty(unit_id: int, counter_id: int | None) -> dict:
    return {"unit_id": unit_id, "counter_id": counter_id,
            **{period: {"responses": 0, "share": Share(0, 0)} for period in PERIODS}}


def _total(rows: list[dict]) -> dict:
    total = {}
    for period in PERIODS:
        total[period] = {
            "responses": sum(row[period]["responses"] for row in rows),
            "share": Share(sum(row[period]["share"].n for row in rows),
                           sum(row[period]["share"].satisfied for row in rows)),
        }
    return total


def overview(unit_ids: list[int] | None, now: datetime) -> dict:
    """Rows per unit and counter, ordered by unit name then counter code, and their total.

    ``unit_ids`` limits the page to a leader's subtree; None means every unit.
    """
    counted = {(row["unit_id"], row["counter_id"]): row
               for row in load.period_counts(db.session, period_starts(now))
               if unit_ids is None or row["unit_id"] in unit_ids}
    counters_query = select(Counter).where(Counter.active.is_(True))
    units_query = select(Unit)
    if unit_ids is not None:
        counters_query = counters_query.where(Counter.unit_id.in_(unit_ids))
        units_query = units_query.where(Unit.id.in_(unit_ids))
    counters = {c.id: c for c in db.session.scalars(counters_query)}
    for counter in counters.values():
        counted.setdefault((counter.unit_id, counter.id), _empty(counter.unit_id, counter.id))
    missing = {counter_id for _, counter_id in counted if counter_id and counter_id not in counters}
    if missing:  # closed counters that still have responses in the year
        closed = db.session.scalars(select(Counter).where(Counter.id.in_(missing)))
        counters |= {c.id: c for c in closed}
    units = {u.id: u for u in db.session.scalars(units_query)}
    rows = sorted(counted.values(), key=lambda r: (
        units[r["unit_id"]].name,
        r["counter_id"] is None,  # paper and online after the unit's counters
        counters[r["counter_id"]].code if r["counter_id"] else ""))
    return {"rows": rows, "total": _total(rows), "units": units, "counters": counters}
