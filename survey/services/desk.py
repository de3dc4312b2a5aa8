"""What the inspector's desk shows for one choice of filters.

Everything is computed from small aggregates (``survey.analysis``): the figure of the scope with
and without the excluded responses, a trend by month, one breakdown, the distribution of answers
per question, the comparison with another period, and the response rate. Views only render it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from survey.analysis import load
from survey.analysis.compare import compare_reports
from survey.analysis.coverage import coverage
from survey.analysis.grouping import grouping_scope, regroup, top_under
from survey.analysis.index_report import IndexReport
from survey.analysis.method_spec import MethodSpec
from survey.analysis.run import Scope
from survey.analysis.tally import Tally, merged
from survey.extensions import db
from survey.rules.masking import mask_personal_data
from survey.rules.periods import date_range, other_period
from survey.services import org, questionnaires, transactions
from survey.services.indices import monthly_cells, run_index, whole_tally

QUESTIONNAIRE_ORDER = ("quick", "sipas", "decree61")  # where question texts are looked up
NO_OPINION = "na"
COMMENTS_PER_PAGE = 50


@dataclass
class DeskFigures:
    report: IndexReport  # the `survey index` report of the scope
    without_excluded: IndexReport | None  # the same without excluded responses, if any are
    excluded: int
    trend: list[dict[str, Any]] = field(default_factory=list)  # a point a month, gaps as None
    breakdown: IndexReport | None = None  # the report grouped by the chosen dimension
    distribution: dict[str, Any] = field(default_factory=dict)
    comparison: dict[str, Any] | None = None
    coverage: dict[str, Any] | None = None  # transactions, required sample, response rate
    unit_coverage: dict[str, Any] = field(default_factory=dict)  # unit code -> response rate


def default_period(today: date) -> tuple[date, date]:
    """The year so far: what an inspector opens the desk for most often."""
    return date(today.year, 1, 1), today


def months_between(start: date, end: date) -> list[str]:
    """Every month from ``start`` to ``end`` as ``YYYY-MM``, so a month with no data shows a gap."""
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def figures(spec: MethodSpec, scope: Scope, by: str | None,
            compare: str | None = None, *, lang: str) -> DeskFigures:
    """Compute everything the desk shows for ``spec`` over ``scope``, questions in ``lang``."""
    # Case ratios (qd766) have no per-month or per-group breakdown yet: the whole only.
    ranked = by if by in RANKED else None
    cells = monthly_cells(spec, scope, ranked) if spec.calculation != "qd766" else None
    tally = merged(list(cells.values())) if cells is not None else whole_tally(spec, scope)
    report = run_index(spec, scope, None, tallies={(): tally})
    excluded = load.excluded_count(db.session, **scope.filters)
    without = None
    if excluded:
        without = run_index(spec, replace(scope, without_excluded=True), None)
    result = DeskFigures(report, without, excluded,
                         distribution=distribution(tally, spec.question_codes(), lang))
    if cells is not None:
        by_month = regroup(cells, lambda cell: cell[1])
        monthly = run_index(spec, scope, "month", tallies=by_month)
        result.trend = trend_points(monthly, scope.start_day, scope.end_day)
        if by == "month":
            result.breakdown = monthly
        elif by:
            grouped = regroup(cells, lambda cell: cell[0]) if ranked else by_month
            result.breakdown = run_index(spec, scope, by, tallies=grouped)
    if scope.counter_id is None and scope.procedure_id is None:
        # Transactions are counted per unit and month, so a rate is only honest for whole units.
        add_coverage(result, scope, by)
    if compare and scope.start_day and scope.end_day:
        before_start, before_end = other_period(scope.start_day, scope.end_day, compare)
        start, end = date_range(before_start, before_end)
        before_scope = replace(scope, start_day=before_start, end_day=before_end, start=start,
                               end=end)
        before = run_index(spec, before_scope, None)
        result.comparison = {"before": before, "from": before_start, "to": before_end,
                             "rows": compare_reports(before, report,
                                                     minimum_sample=spec.minimum_sample)}
    return result


def add_coverage(result: DeskFigures, scope: Scope, by: str | None) -> None:
    """Put the response rate beside the scope's figure, each month's and each unit's.

    Months cut by the period count pro rata to their days inside it (``transactions.totals``).
    """
    total = transactions.totals(scope.unit_ids, scope.start_day, scope.end_day)
    if total is None:
        return
    result.coverage = coverage(total, result.report["n"] or 0)
    monthly = transactions.totals(scope.unit_ids, scope.start_day, scope.end_day,
                                  by="month")
    for point in result.trend:
        month = date.fromisoformat(point["month"] + "-01")
        if month in monthly:
            point["response_rate"] = coverage(monthly[month], point["n"] or 0)["response_rate"]
    if by == "unit" and result.breakdown:
        by_unit = transactions.totals(scope.unit_ids, scope.start_day, scope.end_day,
                                      by="unit")
        tree = org.tree()
        top = grouping_scope(scope.unit_id, tree)
        summed: dict[int, int] = {}
        for unit_id, count in by_unit.items():
            group = top_under(unit_id, top, tree) if top is not None else unit_id
            summed[group] = summed.get(group, 0) + count
        codes = load.group_labels(db.session, "unit", list(summed))
        rolled = {codes[unit_id]: count for unit_id, count in summed.items() if unit_id in codes}
        for group in result.breakdown.get("groups", []):
            code = group["key"]["unit"]
            if code in rolled:
                result.unit_coverage[code] = coverage(rolled[code],
                                                      group["n"] or 0)["response_rate"]


RANKED = ("unit", "counter", "procedure", "officer", "channel")  # periods stay in time order


def breakdown_rows(breakdown: Mapping[str, Any], by: str,
                   channel_labels: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """The groups with readable names; dimensions other than periods ranked by their index."""
    groups = breakdown.get("groups", [])
    codes = [group["key"][by] for group in groups]
    names = load.display_names(db.session, by, codes)
    if by == "channel" and channel_labels:
        names = {code: str(channel_labels.get(code, code)) for code in codes}
    rows = [{"key": code, "label": names.get(code) or code or "–", "n": group["n"] or 0,
             "index": group["index"], "ci95": group["ci95"]}
            for code, group in zip(codes, groups, strict=True)]
    if by in RANKED:
        rows.sort(key=lambda row: (row["index"] is None, -(row["index"] or 0), row["label"]))
    return rows


def trend_points(monthly: Mapping[str, Any], start: date | None,
                 end: date | None) -> list[dict[str, Any]]:
    """The monthly groups as points, with an empty point for each month without data."""
    by_month = {group["key"]["month"]: group for group in monthly.get("groups", [])}
    months = months_between(start, end) if start and end else sorted(by_month)
    empty = {"n": 0, "index": None, "ci95": None}
    return [{"month": month, **{k: by_month.get(month, empty)[k] for k in ("n", "index", "ci95")}}
            for month in months]


def distribution(tally: Tally, codes: list[str], lang: str) -> dict:
    """Per question: the count and share of each answer, "no opinion" included.

    ``columns`` holds the answer labels when every question shares one scale (a grid then reads
    best), else None.
    """
    texts = question_texts(codes, lang)
    any_no_opinion = any(None in tally.answers.get(code, {}) for code in codes)
    rows = []
    for code in codes:
        counts = tally.answers.get(code, {})
        total = sum(counts.values())
        scale = texts.get(code, {}).get("scale", {})
        values = sorted({v for v in counts if v is not None} | set(scale))
        cells = [_cell(v, scale.get(v, str(v)), counts.get(v, 0), total) for v in values]
        if any_no_opinion:
            cells.append(_cell(NO_OPINION, None, counts.get(None, 0), total))
        rows.append({"code": code, "text": texts.get(code, {}).get("text", code),
                     "total": total, "cells": cells})
    shapes = {tuple(cell["value"] for cell in row["cells"]) for row in rows}
    columns = [cell["label"] for cell in rows[0]["cells"]] if len(shapes) == 1 and rows else None
    return {"columns": columns, "rows": rows}


def _cell(value, label, count: int, total: int) -> dict:
    return {"value": value, "label": label, "count": count,
            "share": 100 * count / total if total else None}


def question_texts(codes: list[str], lang: str) -> dict[str, dict]:
    """Question wording and scale labels in ``lang`` (vi, en), from the current versions."""
    found: dict[str, dict] = {}
    for code in QUESTIONNAIRE_ORDER:
        current = questionnaires.current(code)
        if current is None:
            continue
        definition = current.definition
        for question in definition.questions:
            if question.code in codes and question.code not in found:
                points = definition.scales[question.scale]
                found[question.code] = {
                    "text": question.text[lang],
                    "scale": {p.value: p.label[lang] for p in points}}
    return found


def element_names(lang: str) -> dict[str, str]:
    """Element codes (A, B, ...) to their names in ``lang`` (vi, en)."""
    names: dict[str, str] = {}
    for code in QUESTIONNAIRE_ORDER:
        current = questionnaires.current(code)
        for element in current.definition.elements if current else ():
            names.setdefault(element.code, element.name[lang])
    return names


def masked_comments(scope: Scope, page: int = 1) -> tuple[int, list[dict]]:
    """One page of the scope's comments with phone numbers, e-mails and ID numbers masked."""
    total, rows = load.comments(db.session, limit=COMMENTS_PER_PAGE,
                                offset=(page - 1) * COMMENTS_PER_PAGE, **scope.filters)
    return total, [{"id": row.id, "submitted_at": row.submitted_at, "unit": row.unit,
                    "counter": row.counter, "comment": mask_personal_data(row.comment)}
                   for row in rows]
