"""The SQL for transaction counts: the sums per month (or per unit and month) a rate divides by."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select

from survey.analysis.load.session import AnySession
from survey.models import TransactionCount


def transaction_months(session: AnySession, *, unit_ids: Iterable[int] | None,
                       start_day: date | None, end_day: date | None,
                       by_unit: bool = False) -> list[tuple[int | None, date, int]]:
    """(unit id or None, month, transactions) for each month touching the period, summed in SQL.

    Months are those whose first day lies in [start_day's month, end_day]; a None date leaves
    that side open. Pro-rating the cut months is the caller's (``coverage.prorated_total``).
    """
    keys = [TransactionCount.unit_id] if by_unit else []
    query = (select(*keys, TransactionCount.month, func.sum(TransactionCount.transactions))
             .group_by(*keys, TransactionCount.month))
    if unit_ids is not None:
        query = query.where(TransactionCount.unit_id.in_(list(unit_ids)))
    if start_day:
        query = query.where(TransactionCount.month >= start_day.replace(day=1))
    if end_day:
        query = query.where(TransactionCount.month <= end_day)
    return [(key[0] if by_unit else None, month, int(count))
            for *key, month, count in session.execute(query)]
