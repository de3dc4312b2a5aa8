"""The list of pure modules, read from the project's ARCHITECTURE.md: the one place it lives.

The ```pure-modules block under "## Pure modules" holds one path a line: a file, a folder ending
in ``/`` (every module below it), or a line starting with ``!`` that takes a folder or file back
out. The purity test and the check that mypy's strict list agrees both read it through here.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARCHITECTURE = ROOT / "ARCHITECTURE.md"

_BLOCK = re.compile(r"^## Pure modules$.*?^```pure-modules\n(?P<body>.*?)^```$",
                    re.MULTILINE | re.DOTALL)


def declared_entries(text: str | None = None) -> list[str]:
    """The lines of the pure-modules block as written (folders end in ``/``, exclusions ``!``)."""
    text = ARCHITECTURE.read_text(encoding="utf-8") if text is None else text
    match = _BLOCK.search(text)
    if match is None:
        raise LookupError("ARCHITECTURE.md has no ```pure-modules block under ## Pure modules")
    return [line.strip() for line in match["body"].splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def missing_entries(entries: list[str], root: Path = ROOT) -> list[str]:
    """The declared paths that do not exist (a renamed module must not drop out silently)."""
    return [entry for entry in entries if not (root / entry.lstrip("!")).exists()]


def pure_module_paths(entries: list[str] | None = None, root: Path = ROOT) -> list[Path]:
    """Every .py file the list declares pure, relative to ``root``, sorted."""
    entries = declared_entries() if entries is None else entries
    included: set[Path] = set()
    excluded: set[Path] = set()
    for entry in entries:
        target = excluded if entry.startswith("!") else included
        target.update(_modules(root, entry.lstrip("!")))
    return sorted(included - excluded)


def _modules(root: Path, entry: str) -> set[Path]:
    path = root / entry
    if entry.endswith("/"):
        return {p.relative_to(root) for p in path.rglob("*.py")}
    return {path.relative_to(root)} if path.is_file() else set()


def module_name(path: Path) -> str:
    """``survey/rules/routing.py`` -> ``survey.rules.routing`` (a package is its ``__init__``)."""
    parts = list(path.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)
