"""Assemble an index report: overall figure, elements, groups and warnings (pure).

Warnings are ``Message`` codes (or what the method modules return): the render layer words them
(``survey.render.messages``), in the reader's language.
"""

from __future__ import annotations

from typing import Any

from survey.analysis.decree61 import decree61_index
from survey.analysis.index_report import Group, IndexReport
from survey.analysis.method_spec import MethodSpec
from survey.analysis.qd766 import CaseCounts, qd766_ratios
from survey.analysis.sipas import satisfaction_rate, sipas_index
from survey.analysis.tally import Tally, merged
from survey.rules.messages import Message

SUPPRESSED_GROUPINGS = ("officer",)  # small groups here would point at one person's ratings


def compute(spec: MethodSpec, tally: Tally, cases: CaseCounts | None = None) -> dict[str, Any]:
    """Run the method's calculation on one group's tally."""
    if spec.calculation == "share":
        return satisfaction_rate(spec, tally)
    if spec.calculation == "sipas":
        return sipas_index(spec, tally)
    if spec.calculation == "points":
        return decree61_index(spec, tally)
    return qd766_ratios(spec, cases or CaseCounts(), tally)


def _group(key: dict[str, Any], result: dict[str, Any]) -> Group:
    return Group(key, result["n"], result["index"], result["ci95"], result.get("elements"))


def build_report(spec: MethodSpec, header: dict[str, Any],
                 groups: list[tuple[dict[str, Any], Tally]], by: str | None,
                 cases: CaseCounts | None = None) -> IndexReport:
    """The INTERFACES.md report; ``groups`` are (key, tally), one of them when there is no --by.

    ``header`` holds ``from``, ``to`` and ``scope`` (``{"unit": code}``) as the JSON shows them.
    The overall figure is computed on the sum of the groups, so groups always add up to it.
    """
    whole = compute(spec, merged([tally for _, tally in groups]), cases)
    warnings = list(whole["warnings"])
    shown: list[Group] | None = None
    if by is not None:
        shown, hidden = [], 0
        for key, tally in groups:
            result = compute(spec, tally, cases)
            if by in SUPPRESSED_GROUPINGS and (result["n"] or 0) < spec.minimum_sample:
                hidden += 1
                continue
            shown.append(_group(key, result))
        if hidden:
            warnings.append(Message.of("report.groups_hidden", count=hidden, by=by,
                                       minimum=spec.minimum_sample))
    return IndexReport(method=spec.code, start=header.get("from"), end=header.get("to"),
                       unit=(header.get("scope") or {}).get("unit"), n=whole["n"],
                       index=whole["index"], ci95=whole["ci95"], warnings=warnings,
                       max_points=whole.get("max_points"), elements=whole.get("elements"),
                       groups=shown)
