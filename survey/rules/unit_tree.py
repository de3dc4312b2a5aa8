"""Units by level in tree order (``OrgTree``), for the lists a citizen chooses from (pure)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from survey.rules.org_tree import OrgTree


@dataclass(frozen=True)
class UnitRow:
    id: int
    parent_id: int | None
    name: str
    level: str


def tree_order(units: Iterable[UnitRow]) -> list[tuple[UnitRow, int]]:
    """Units depth first, siblings by name, each with its depth (roots are 0).

    The order is ``OrgTree.ordered``'s; a parent outside the rows makes a root, so nothing is
    lost from the list.
    """
    by_id = {unit.id: unit for unit in units}
    tree = OrgTree.from_rows((u.id, u.parent_id, u.name) for u in by_id.values())
    return [(by_id[unit_id], depth) for unit_id, depth in tree.ordered()]


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
