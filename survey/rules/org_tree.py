"""The unit tree, built once from (id, parent) pairs and walked in memory (pure).

Routing, the desks' scopes, the notices to leaders above a case and the administration's ordered
unit lists all need the same walks; one query for the whole tree beats one query per level, and a
province has a few thousand units at most.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class OrgTree:
    parent_of: Mapping[int, int | None]
    names: Mapping[int, str] = field(default_factory=dict)  # orders siblings for display
    _children: dict[int | None, list[int]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        children: dict[int | None, list[int]] = {}
        for unit_id, parent_id in self.parent_of.items():
            # A parent missing from the tree (deleted, or outside a partial load) makes a root.
            key = parent_id if parent_id in self.parent_of else None
            children.setdefault(key, []).append(unit_id)
        for siblings in children.values():
            siblings.sort(key=lambda unit_id: (self.names.get(unit_id, ""), unit_id))
        object.__setattr__(self, "_children", children)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[int, int | None] | tuple[int, int | None, str]]
                  ) -> OrgTree:
        """Build the tree from (id, parent_id) or (id, parent_id, name) rows."""
        parent_of: dict[int, int | None] = {}
        names: dict[int, str] = {}
        for row in rows:
            parent_of[row[0]] = row[1]
            if len(row) > 2:
                names[row[0]] = row[2]
        return cls(parent_of, names)

    def __contains__(self, unit_id: object) -> bool:
        return unit_id in self.parent_of

    def ancestors(self, unit_id: int) -> tuple[int, ...]:
        """Return the units above ``unit_id``, closest first; raise ValueError on a cycle."""
        found: list[int] = []
        parent = self.parent_of.get(unit_id)
        while parent is not None:
            if parent == unit_id or parent in found:
                raise ValueError(f"the unit tree has a cycle through unit {parent}")
            found.append(parent)
            parent = self.parent_of.get(parent)
        return tuple(found)

    def lineage(self, unit_id: int) -> tuple[int, ...]:
        """Return the unit itself, then its ancestors, closest first."""
        return (unit_id, *self.ancestors(unit_id))

    def depth(self, unit_id: int) -> int:
        """Return how many units sit above ``unit_id`` (a root is at depth 0)."""
        return len(self.ancestors(unit_id))

    def children(self, unit_id: int | None) -> tuple[int, ...]:
        """Return the units directly under ``unit_id`` (None: the roots), by name."""
        return tuple(self._children.get(unit_id, ()))

    def subtree(self, unit_id: int) -> list[int]:
        """Return the unit and every unit below it, breadth first."""
        found, frontier, seen = [unit_id], [unit_id], {unit_id}
        while frontier:
            frontier = [child for parent in frontier for child in self._children.get(parent, ())
                        if child not in seen]
            seen.update(frontier)
            found.extend(frontier)
        return found

    def is_within(self, unit_id: int, top: int) -> bool:
        """Tell whether ``unit_id`` is ``top`` or lies below it."""
        return unit_id == top or top in self.ancestors(unit_id)

    def ordered(self, top: int | None = None) -> list[tuple[int, int]]:
        """Return (unit, depth) pairs depth first, siblings by name: the order lists show."""
        result: list[tuple[int, int]] = []
        roots = [top] if top is not None else self.children(None)
        stack = [(root, 0) for root in reversed(roots)]
        while stack:  # iterative: a deep tree must not hit the recursion limit
            unit_id, depth = stack.pop()
            result.append((unit_id, depth))
            stack.extend((child, depth + 1) for child in reversed(self._children.get(unit_id, ())))
        return result

    def would_cycle(self, unit_id: int, new_parent_id: int | None) -> bool:
        """Tell whether placing ``unit_id`` under ``new_parent_id`` would make a loop."""
        return new_parent_id is not None and self.is_within(new_parent_id, unit_id)
