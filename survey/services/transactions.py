"""Monthly transaction counts per unit: typed in, imported from CSV/XLSX, and summed for a period.

A count is a unit's own dossiers in one month; a figure for a unit and its sub-units sums the
counts of the subtree's ids, which the caller passes. ``totals`` treats a month cut by the period
pro rata to its calendar days (see ``survey.analysis.coverage``). Changes flush and never commit,
and each save or import appends one audit event.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal, overload

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from survey.analysis import load
from survey.analysis.coverage import prorated_total
from survey.clock import local_today
from survey.extensions import db
from survey.models import TransactionCount, Unit, User
from survey.render.labels import count_problem_text
from survey.services import ServiceError, audit
from survey.services.paper_files import ImportFileError
from survey.services.transaction_files import (
    parse_month,
    parse_transactions,
    read_counts_file,
)

FIRST_YEAR = 2000
SOURCES = ("form", "import")


class CountsError(ServiceError):
    """Counts that were refused, with the message for each month."""

    def __init__(self, problems: dict[date, str]):
        super().__init__(next(iter(problems.values())))
        self.problems = problems


@dataclass
class _Row:
    number: int
    unit_id: int
    month: date
    transactions: int
    errors: list[dict] = field(default_factory=list)


today_local = local_today  # kept as the name callers of this module use


def month_problem(month: date, today: date) -> str | None:
    """Say why counts cannot be kept for ``month``, or None."""
    if month.year < FIRST_YEAR:
        return _("Counts before %(year)d are not kept.", year=FIRST_YEAR)
    if month > today.replace(day=1):
        return _("This month has not begun yet.")
    return None


# ---- typed in ------------------------------------------------------------------------------------

def save_months(unit: Unit, counts: dict[date, int | None], *, actor: User | None,
                source: str = "form", today: date | None = None) -> list[dict]:
    """Set, replace or (with None) delete ``unit``'s count for each month; return the changes.

    Every month is checked first: one refused month (CountsError) changes nothing.
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}")
    today = today or today_local()
    problems = {}
    for month, value in counts.items():
        if month.day != 1:
            problems[month] = _("A month is given by its first day.")
        elif value is not None:  # clearing a month is always allowed
            problem = month_problem(month, today) or count_problem_text(value)
            if problem:
                problems[month] = problem
    if problems:
        raise CountsError(problems)
    stored = {row.month: row for row in db.session.scalars(select(TransactionCount).where(
        TransactionCount.unit_id == unit.id, TransactionCount.month.in_(list(counts))))}
    changes = []
    for month, value in sorted(counts.items()):
        row = stored.get(month)
        before = row.transactions if row else None
        if before == value:
            continue
        actor_id = actor.id if actor else None
        if value is None:
            db.session.delete(row)
        elif row is None:
            db.session.add(TransactionCount(unit_id=unit.id, month=month, transactions=value,
                                            source=source, updated_by_id=actor_id))
        else:
            row.transactions, row.source, row.updated_by_id = value, source, actor_id
        changes.append({"month": month.isoformat()[:7], "from": before, "to": value})
    if changes:
        _flush(_("Someone else changed these counts meanwhile: try again."))
        audit.record("transaction_counts_saved", actor=actor, unit=unit.code, changes=changes)
    return changes


def set_count(unit: Unit, month: date, transactions: int, *, actor: User | None,
              source: str = "form") -> list[dict]:
    return save_months(unit, {month: transactions}, actor=actor, source=source)


def delete_count(unit: Unit, month: date, *, actor: User | None) -> bool:
    return bool(save_months(unit, {month: None}, actor=actor))


def list_counts(unit_ids: Iterable[int] | None = None,
                year: int | None = None) -> list[TransactionCount]:
    """Counts of the given units (all when None) and year, by unit code then month."""
    query = select(TransactionCount).join(Unit).order_by(Unit.code, TransactionCount.month)
    if unit_ids is not None:
        query = query.where(TransactionCount.unit_id.in_(list(unit_ids)))
    if year is not None:
        query = query.where(TransactionCount.month >= date(year, 1, 1),
                            TransactionCount.month < date(year + 1, 1, 1))
    return list(db.session.scalars(query))


def _flush(message: str) -> None:
    """Flush in a savepoint, so that a concurrent insert of the same month is a clear refusal."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        raise ServiceError(message) from error


# ---- imported ------------------------------------------------------------------------------------

def import_counts(path: Path, *, dry_run: bool = False, actor: User | None = None,
                  today: date | None = None) -> dict:
    """Check every row of ``path`` and store all of them or none; flush, never commit.

    A row replaces the count stored for its unit and month, so importing a file again changes
    nothing. ``imported`` counts the rows stored new or changed (with ``dry_run``: that would be),
    ``unchanged`` the rows equal to what is stored; a refused file reports 0 for both.
    """
    lines = read_counts_file(path)
    units = dict(db.session.execute(select(Unit.code, Unit.id)).all())
    today = today or today_local()
    rows: list[_Row] = []
    seen: dict[tuple[int, date], int] = {}
    for number, cells in lines:
        row = _check_row(number, cells, units, today)
        if not row.errors:
            earlier = seen.setdefault((row.unit_id, row.month), number)
            if earlier != number:
                row.errors.append({"row": number, "column": "month", "message": _(
                    "This unit and month are already in row %(row)d.", row=earlier)})
        rows.append(row)
    errors = [error for row in rows for error in row.errors]
    rejected = sum(1 for row in rows if row.errors)
    if rejected:
        return {"imported": 0, "unchanged": 0, "rejected": rejected, "errors": errors}
    imported, unchanged = _store(rows, dry_run=dry_run, actor=actor)
    if imported and not dry_run:
        audit.record("transaction_counts_imported", actor=actor, file=path.name, rows=imported)
    return {"imported": imported, "unchanged": unchanged, "rejected": 0, "errors": []}


def _check_row(number: int, cells: dict[str, str], units: dict[str, int], today: date) -> _Row:
    row = _Row(number, 0, date.min, 0)

    def add(column: str, message: str) -> None:
        row.errors.append({"row": number, "column": column, "message": str(message)})

    code = cells["unit"]
    if code not in units:
        add("unit", _("The unit code is missing.") if not code
            else _("Unknown unit code %(code)s.", code=code))
    row.unit_id = units.get(code, 0)
    try:
        row.month = parse_month(cells["month"])
    except ValueError as error:
        add("month", error.args[0])
    else:
        problem = month_problem(row.month, today)
        if problem:
            add("month", problem)
    try:
        row.transactions = parse_transactions(cells["transactions"])
    except ValueError as error:
        add("transactions", error.args[0])
    return row


def _store(rows: list[_Row], *, dry_run: bool, actor: User | None) -> tuple[int, int]:
    """Insert or replace each row's count; return (stored new or changed, already equal)."""
    stored = {(c.unit_id, c.month): c for c in db.session.scalars(select(TransactionCount).where(
        TransactionCount.unit_id.in_({row.unit_id for row in rows}),
        TransactionCount.month.in_({row.month for row in rows})))}
    imported = 0
    for row in rows:
        current = stored.get((row.unit_id, row.month))
        if current is not None and current.transactions == row.transactions:
            continue
        imported += 1
        if dry_run:
            continue
        actor_id = actor.id if actor else None
        if current is None:
            db.session.add(TransactionCount(unit_id=row.unit_id, month=row.month,
                                            transactions=row.transactions, source="import",
                                            updated_by_id=actor_id))
        else:
            current.transactions, current.source = row.transactions, "import"
            current.updated_by_id = actor_id
    if imported and not dry_run:
        try:
            _flush(_("Another import stored some of these rows meanwhile: run the import again."))
        except ServiceError as error:
            raise ImportFileError(str(error)) from error
    return imported, len(rows) - imported


# ---- summed for a period -------------------------------------------------------------------------

@overload
def totals(unit_ids: Iterable[int] | None, start_day: date | None, end_day: date | None,
           by: None = None) -> int | None: ...
@overload
def totals(unit_ids: Iterable[int] | None, start_day: date | None, end_day: date | None,
           by: Literal["unit"]) -> dict[int, int]: ...
@overload
def totals(unit_ids: Iterable[int] | None, start_day: date | None, end_day: date | None,
           by: Literal["month"]) -> dict[date, int]: ...
def totals(unit_ids: Iterable[int] | None, start_day: date | None,
           end_day: date | None, by: str | None = None) -> int | None | dict[Any, int]:
    """Sum the counts of ``unit_ids`` (None: every unit) over the inclusive local dates given.

    Months cut by the period count pro rata to their days inside it, rounded half up per result
    (so group totals may differ by one from the overall total). ``by=None`` returns an int, or
    None when no overlapping month has a count; ``by="unit"`` {unit_id: int} and ``by="month"``
    {first day of month: int}, holding only units and months that have a count (a caller can see
    missing months by comparing with ``coverage.months_between``). A None date leaves that side
    of the period open.
    """
    if by not in (None, "unit", "month"):
        raise ValueError(f"by must be None, 'unit' or 'month', not {by!r}")
    if start_day and end_day and start_day > end_day:
        raise ValueError("start_day is after end_day")
    # One row per month, or per unit and month: what the pro-rating needs, summed in SQL.
    groups: dict[Any, list[tuple[date, int]]] = {}
    for unit_id, month, count in load.transaction_months(
            db.session, unit_ids=unit_ids, start_day=start_day, end_day=end_day,
            by_unit=by == "unit"):
        group = unit_id if by == "unit" else month if by == "month" else None
        groups.setdefault(group, []).append((month, count))
    summed = {key: prorated_total(pairs, start_day, end_day) for key, pairs in groups.items()}
    if by is None:
        return summed.get(None)
    return dict(sorted(summed.items()))
