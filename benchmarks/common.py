"""What the benchmark scripts share: writing their own section of RESULTS.md."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def write_results(section: str, heading: str, path: Path = RESULTS) -> None:
    """Replace this benchmark's section (up to the next '## ' heading), keep the others."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    lines = old.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == heading), None)
    if start is None:
        kept_before, kept_after = lines, []
        while kept_before and not kept_before[-1].strip():
            kept_before.pop()
        kept_before.append("")
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
                   len(lines))
        kept_before, kept_after = lines[:start], lines[end:]
    new = kept_before + section.rstrip("\n").splitlines() + ([""] + kept_after if kept_after
                                                             else [])
    path.write_text("\n".join(new) + "\n", encoding="utf-8")
