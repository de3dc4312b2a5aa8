"""Units in tree order, grouped by level, for the lists a citizen chooses from (pure)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class UnitRow:
    id: int
    parent_id: int | None
    name: str
    level: str


def tree_order(units: Iterable[UnitRow]) -> list[tuple[UnitRow, int]]:
    """Units depth first, siblings by name, each with its depth (roots are 0)."""
    rows = list(units)
    known = {u.id for u in rows}
    children: dict[int | None, list[UnitRow]] = {}
    for unit in rows:
        # A parent outside the rows makes a root: nothing is lost from the list.
        children.setdefault(unit.parent_id if unit.parent_id in known else None, []).append(unit)
    for siblings in children.values():
        siblings.sort(key=lambda u: (u.name, u.id))
    ordered: list[tuple[UnitRow, int]] = []
    stack = [(u, 0) for u in reversed(children.get(None, []))]
    while stack:  # iterative: a deep tree must not hit the recursion limit
        unit, depth = stack.pop()
        ordered.append((unit, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(unit.id, [])))
    return ordered


def grouped_by_level(units: Iterable[UnitRow],
                     keep: Collection[int]) -> list[tuple[str, list[UnitRow]]]:
    """The kept units grouped by level, in tree order.

    Groups come in the order of their shallowest unit (a province's own units before its
    communes'), ties broken by which comes first in the tree; units keep tree order inside.
    """
    groups: dict[str, list[UnitRow]] = {}
    rank: dict[str, tuple[int, int]] = {}
    for position, (unit, depth) in enumerate(tree_order(units)):
        if unit.id not in keep:
            continue
        groups.setdefault(unit.level, []).append(unit)
        rank[unit.level] = min(rank.get(unit.level, (depth, position)), (depth, position))
    return [(level, groups[level]) for level in sorted(groups, key=rank.__getitem__)]
