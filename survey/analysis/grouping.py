"""Regroup small aggregates: roll units up the tree, months into quarters and years (pure)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import TypeVar

from survey.analysis.tally import Tally
from survey.rules.org_tree import OrgTree

GROUPINGS = ("unit", "counter", "procedure", "officer", "channel", "month", "quarter", "year")


Old = TypeVar("Old", bound=Hashable)
New = TypeVar("New", bound=Hashable)


def regroup(tallies: Mapping[Old, Tally], key: Callable[[Old], New]) -> dict[New, Tally]:
    """Merge the tallies whose ``key`` is the same."""
    out: dict[New, Tally] = {}
    for old, tally in tallies.items():
        out.setdefault(key(old), Tally()).add(tally)
    return out


def period_key(month: str, by: str) -> str:
    """``2027-05`` as its month, quarter (``2027-Q2``) or year (``2027``)."""
    year, number = month.split("-")
    if by == "year":
        return year
    if by == "quarter":
        return f"{year}-Q{(int(number) - 1) // 3 + 1}"
    return month


def top_under(unit_id: int, scope_id: int, tree: OrgTree) -> int:
    """The unit directly under ``scope_id`` on the path from ``unit_id`` (or the scope itself);
    the root of ``unit_id`` when the scope is not above it."""
    lineage = tree.lineage(unit_id)
    if scope_id not in lineage:
        return lineage[-1]
    return lineage[max(lineage.index(scope_id) - 1, 0)]


def grouping_scope(scope_id: int | None, tree: OrgTree) -> int | None:
    """The unit whose children become the groups: the given one, else the single root."""
    if scope_id is not None:
        return scope_id
    roots = [unit for unit, parent in tree.parent_of.items() if parent is None]
    return roots[0] if len(roots) == 1 else None


def roll_up_units(by_unit: dict[int, Tally], scope_id: int | None,
                  tree: OrgTree) -> dict[int, Tally]:
    """Sum each unit's tally into the child of the scope it lies under (roots when no scope)."""
    scope = grouping_scope(scope_id, tree)
    if scope is None:
        return regroup(by_unit, lambda unit: tree.lineage(unit)[-1])
    return regroup(by_unit, lambda unit: top_under(unit, scope, tree))
