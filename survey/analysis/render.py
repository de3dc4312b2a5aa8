"""Show an index report as JSON, CSV or a readable table (pure).

Warnings and verdicts are message codes or lazy texts: ``text`` words each one (the caller passes
``survey.render.messages.plain``, which translates; ``str`` is enough for texts already made).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from survey.analysis.index_report import IndexReport, Text


def jsonable(report: IndexReport, text: Text = str) -> dict[str, Any]:
    """The report as the JSON document, its warnings and verdicts as plain text."""
    return report.to_json(text)


def to_json(report: IndexReport, text: Text = str) -> str:
    return json.dumps(jsonable(report, text), ensure_ascii=False, indent=2)


def _ci(item: dict[str, Any]) -> list[Any]:
    return item["ci95"] or ["", ""]


def _blank(value: object) -> object:
    return "" if value is None else value


def to_csv(report: IndexReport) -> str:
    """One row per group (or one row overall): n, index, ci95_low, ci95_high, element indices."""
    data = report.to_json()
    rows = data.get("groups")
    if rows is None:
        rows = [{**data, "key": {}}]
    keys = list(rows[0]["key"]) if rows else []
    elements = [e["code"] for e in report.elements or [] if "criteria" in e]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["method", "from", "to", "unit", *keys, "n", "index", "ci95_low",
                     "ci95_high", *elements])
    for row in rows:
        by_code = {e["code"]: e["index"] for e in row.get("elements", [])}
        writer.writerow([report.method, _blank(report.start), _blank(report.end),
                         _blank(report.unit), *(_blank(row["key"][k]) for k in keys),
                         _blank(row["n"]), _blank(row["index"]), *map(_blank, _ci(row)),
                         *(_blank(by_code.get(code)) for code in elements)])
    return out.getvalue()


def _line(label: str, item: dict[str, Any]) -> str:
    ci = item["ci95"]
    shown = f"index={item['index']}  95% CI={ci[0]}–{ci[1]}" if ci else "no answers"
    n = "" if item["n"] is None else f"n={item['n']}  "
    return f"{label}: {n}{shown}"


def to_table(report: IndexReport, text: Text = str) -> str:
    """Readable text: the overall figure, elements (with criteria), groups, then warnings."""
    data = report.to_json(text)
    lines = [_line(report.method, data)] if report.n is not None else [report.method]
    for element in report.elements or []:
        lines.append("  " + _line(element["code"], element))
        lines += ["    " + _line(c["code"], c) for c in element.get("criteria", [])]
    for group in data.get("groups", []):
        label = ", ".join(f"{k}={v}" for k, v in group["key"].items())
        lines.append("  " + _line(label, group))
    if report.comparison is not None:
        lines.append(f"compared with {report.comparison['from']} – "
                     f"{report.comparison['to']}:")
        lines += ["  " + _change(row, text) for row in report.comparison["rows"]]
    lines += [f"warning: {w}" for w in data["warnings"]]
    return "\n".join(lines)


def _change(row: dict[str, Any], text: Text) -> str:
    label = row["code"] or "index"
    before, after = (row[side]["index"] if row[side] else None for side in ("before", "after"))
    change = "" if row["difference"] is None else f"  change={row['difference']:+}"
    p = "" if row["p_value"] is None else f"  p={row['p_value']:.3f}"
    return f"{label}: {before} → {after}{change}{p}  {text(row['verdict_text'])}"
