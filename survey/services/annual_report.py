"""The annual assessment report of a unit: every index for a calendar year, as plain data.

The unit's whole subtree and the local (Asia/Ho_Chi_Minh) calendar year, with the responses that
inspectors excluded left out. Each method runs through ``run_index`` for this year and the year
before; cases are only counted (per kind), so nothing about a person, least of all a denouncer,
ever enters the report. Warnings are words only when shown, in the language the report is
rendered in (the PDF forces Vietnamese): they are message codes or lazy texts, which the page and
the PDF put in words (``survey.render.messages``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from survey.analysis import load
from survey.analysis.compare import compare_reports
from survey.analysis.coverage import coverage
from survey.analysis.index_report import IndexReport
from survey.analysis.run import Scope
from survey.clock import local_today
from survey.extensions import db
from survey.models import CaseKind, Channel, Unit
from survey.services.indices import load_method, run_index
from survey.services.indices import scope as index_scope
from survey.services.questionnaires import current
from survey.services.transactions import totals

INDEX_METHODS = ("satisfaction-rate", "sipas", "decree61")
METHODS = (*INDEX_METHODS, "qd766")
CASE_FIGURES = ("received", "outside_competence", "resolved", "on_time", "late", "open_overdue")


def year_scope(unit: Unit, year: int) -> Scope:
    """The unit's subtree over the local calendar year, excluded responses left out."""
    return index_scope(date(year, 1, 1), date(year, 12, 31), unit, without_excluded=True)


def build_annual_report(unit: Unit, year: int, *,
                        today: date | None = None) -> dict:
    """Compute the annual assessment report of ``unit`` for ``year`` (plain data)."""
    today = today or local_today()
    scope, before = year_scope(unit, year), year_scope(unit, year - 1)
    specs = {code: load_method(code) for code in METHODS}
    reports = {code: run_index(spec, scope, None) for code, spec in specs.items()}
    previous = {code: run_index(spec, before, None) for code, spec in specs.items()}
    return {
        "unit": {"code": unit.code, "name": unit.name},
        "year": year,
        "from": date(year, 1, 1).isoformat(),
        "to": date(year, 12, 31).isoformat(),
        "complete": date(year, 12, 31) < today,
        "methods": {code: {"minimum_sample": spec.minimum_sample,
                           "satisfied_threshold": spec.satisfied_threshold,
                           "scale_max": spec.scale_max} for code, spec in specs.items()},
        "indices": [_figure(code, reports[code], previous[code]) for code in INDEX_METHODS],
        "sipas_elements": _sipas_elements(reports["sipas"], previous["sipas"]),
        "decree61_criteria": _decree61_criteria(reports["decree61"], previous["decree61"]),
        "qd766": _qd766(reports["qd766"], previous["qd766"]),
        "sample": _sample(scope, before, reports),
        "cases": _case_statistics(scope, date(year, 12, 31), today),
        "comparison": compare_years(previous, reports, {code: spec.minimum_sample
                                                        for code, spec in specs.items()}),
    }


def _estimate(item: Mapping[str, Any] | None) -> dict:
    item = item or {}
    return {"n": item.get("n"), "index": item.get("index"), "ci95": item.get("ci95")}


def _figure(code: str, report: IndexReport, before: IndexReport) -> dict:
    figure = {"method": code, **_estimate(report.to_json()), "warnings": list(report.warnings),
              "previous": _estimate(before.to_json())}
    if report.max_points is not None:
        figure["max_points"] = report.max_points
    return figure


def _by_code(items: list[dict]) -> dict[str, dict]:
    return {item["code"]: item for item in items}


def _texts(questionnaire: str) -> tuple[dict, dict]:
    """Element names and question texts ({"vi", "en"} by code) of the current questionnaire."""
    found = current(questionnaire)
    if found is None:
        return {}, {}
    definition = found.definition
    return ({e.code: e.name.to_json() for e in definition.elements},
            {q.code: q.text.to_json() for q in definition.questions})


def _sipas_elements(report: IndexReport, before: IndexReport) -> list[dict]:
    names, texts = _texts("sipas")
    last = _by_code(before.elements or [])
    rows = []
    for element in report.elements or []:
        old = last.get(element["code"], {})
        old_criteria = _by_code(old.get("criteria", []))
        rows.append({
            "code": element["code"], "name": names.get(element["code"]), **_estimate(element),
            "previous": _estimate(old),
            "criteria": [{"code": c["code"], "text": texts.get(c["code"]), **_estimate(c),
                          "previous": _estimate(old_criteria.get(c["code"]))}
                         for c in element["criteria"]],
        })
    return rows


def _decree61_criteria(report: IndexReport, before: IndexReport) -> list[dict]:
    _, texts = _texts("decree61")
    last = _by_code(before.elements or [])
    return [{"code": c["code"], "text": texts.get(c["code"]), **_estimate(c),
             "distribution": c["distribution"], "previous": _estimate(last.get(c["code"]))}
            for c in report.elements or []]


def _qd766(report: IndexReport, before: IndexReport) -> dict:
    last = _by_code(before.elements or [])
    ratios = [{"code": r["code"], **_estimate(r), "previous": _estimate(last.get(r["code"]))}
              for r in report.elements or []]
    return {"ratios": ratios, "warnings": list(report.warnings)}


def _sample(scope: Scope, before: Scope, reports: dict[str, IndexReport]) -> dict:
    counts = load.response_counts(db.session, start=scope.start, end=scope.end,
                                  unit_ids=scope.unit_ids)
    previous = load.response_counts(db.session, start=before.start, end=before.end,
                                    unit_ids=before.unit_ids)
    by_channel: list[dict[str, Any]] = [
        {"channel": channel.value, **counts.get(channel.value, _NONE)} for channel in Channel]
    responses = sum(row["responses"] - row["excluded"] for row in by_channel)
    transactions = totals(scope.unit_ids, scope.start_day, scope.end_day)
    return {
        **coverage(transactions, responses),
        "excluded": sum(row["excluded"] for row in by_channel),
        "previous_responses": sum(row["responses"] - row["excluded"]
                                  for row in previous.values()),
        "by_channel": by_channel,
        "respondents": {code: reports[code].n for code in INDEX_METHODS},
    }


_NONE = {"responses": 0, "excluded": 0}


def _case_statistics(scope: Scope, last_day: date, today: date) -> dict:
    """Case counts per kind for the year; overdue means a deadline passed by the year's end."""
    overdue_before = min(last_day + timedelta(days=1), today)
    if scope.start is None or scope.end is None:
        raise ValueError("a year's scope has a start and an end")
    counts = load.case_statistics(db.session, start=scope.start, end=scope.end,
                                  overdue_before=overdue_before, unit_ids=scope.unit_ids)
    rows: list[dict[str, Any]] = [
        {"kind": kind.value, **{f: counts.get(kind.value, {}).get(f, 0) for f in CASE_FIGURES}}
        for kind in CaseKind]
    total = {f: sum(row[f] for row in rows) for f in CASE_FIGURES}
    return {"by_kind": rows, "total": total, "as_of": min(last_day, today).isoformat()}


def compare_years(before: Mapping[str, IndexReport], after: Mapping[str, IndexReport],
                  minimum_samples: dict[str, int]) -> list[dict]:
    """Last year beside this year, tested, for every index, SIPAS element and 766 ratio.

    ``before`` and ``after`` map a method code to its ``run_index`` report; each row is a
    ``compare_reports`` row with the method's code added.
    """
    return [{"method": code, **row} for code in METHODS
            for row in compare_reports(before[code].to_json(), after[code].to_json(),
                                       minimum_sample=minimum_samples[code])]
