"""An index report as a typed value: the figure of a scope, its elements, groups and warnings.

Its JSON (``to_json``) is the ``survey index --format json`` document of INTERFACES.md, keys in
the same order. Elements stay the plain rows the method modules compute (their shape differs by
method). Reports and groups can still be read like the dicts they replace (``report["n"]``),
so that modules not yet moved to attributes (the desk, ``compare``) keep working.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

Text = Callable[[Any], str]  # puts a warning (a Message or a lazy text) in words


class _ReadAsDict(Mapping[str, Any]):
    """Read-only dict access to the JSON fields (values not converted)."""

    def _fields(self) -> dict[str, Any]:
        raise NotImplementedError

    def __getitem__(self, key: str) -> Any:
        return self._fields()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields())

    def __len__(self) -> int:
        return len(self._fields())


@dataclass(frozen=True, eq=True)
class Group(_ReadAsDict):
    """One group of a grouped report: its key (``{"unit": "NB"}``) and figure."""

    key: dict[str, Any]
    n: int | None
    index: float | None
    ci95: list[float] | None
    elements: list[dict[str, Any]] | None = None

    def _fields(self) -> dict[str, Any]:
        fields = {"key": self.key, "n": self.n, "index": self.index, "ci95": self.ci95}
        return fields | ({"elements": self.elements} if self.elements is not None else {})

    def to_json(self) -> dict[str, Any]:
        return self._fields()


@dataclass(frozen=True, eq=True)
class IndexReport(_ReadAsDict):
    """The figure of one method over one scope (``survey index``)."""

    method: str
    start: str | None  # "from": the first local day, ISO
    end: str | None  # "to": the last local day, ISO
    unit: str | None  # the scope's unit code
    n: int | None
    index: float | None
    ci95: list[float] | None
    warnings: list[Any] = field(default_factory=list)  # Message codes (or lazy texts)
    max_points: float | None = None  # points methods: the highest total
    elements: list[dict[str, Any]] | None = None
    groups: list[Group] | None = None  # with --by
    comparison: dict[str, Any] | None = None  # with --compare: rows of ``compare_reports``

    def _fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {"method": self.method, "from": self.start, "to": self.end,
                                  "scope": {"unit": self.unit}, "n": self.n,
                                  "index": self.index, "ci95": self.ci95}
        optional = (("max_points", self.max_points), ("elements", self.elements),
                    ("groups", self.groups))
        fields.update((key, value) for key, value in optional if value is not None)
        fields["warnings"] = self.warnings
        if self.comparison is not None:
            fields["comparison"] = self.comparison
        return fields

    def to_json(self, text: Text = str) -> dict[str, Any]:
        """The INTERFACES.md document, warnings and verdicts in words (``text``)."""
        data = self._fields()
        if self.groups is not None:
            data["groups"] = [group.to_json() for group in self.groups]
        data["warnings"] = [text(warning) for warning in self.warnings]
        if self.comparison is not None:
            data["comparison"] = {**self.comparison, "rows": [
                {**row, "verdict_text": text(row["verdict_text"])}
                for row in self.comparison["rows"]]}
        return data
