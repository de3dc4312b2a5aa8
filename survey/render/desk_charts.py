"""The desk's three charts, drawn from the figures the desk already computed."""

from __future__ import annotations

from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _

from survey.analysis.method_spec import MethodSpec
from survey.render import charts
from survey.services.desk import NO_OPINION, DeskFigures
from survey.web.i18n import percent


def _formatter(spec: MethodSpec):
    if spec.calculation == "points":
        return lambda value: format_decimal(value, format="#,##0.0")
    return lambda value: percent(value, 0) if float(value).is_integer() else percent(value, 1)


def _interval(ci) -> tuple[float, float] | None:
    return (ci[0], ci[1]) if ci else None


def desk_charts(figures: DeskFigures, spec: MethodSpec, ranked: list[dict],
                breakdown_label: str) -> dict:
    """SVG markup for the trend, the breakdown and the distribution (absent ones are None)."""
    fmt, text = _formatter(spec), charts.ChartText().translated(_, str(get_locale()))
    top = float(figures.report.get("max_points") or 100.0)
    drawn: dict = {"trend": None, "ranking": None, "distribution": None}
    if figures.trend:
        drawn["trend"] = charts.trend_chart(
            [(p["month"], p["index"], _interval(p["ci95"]), p["n"] or 0) for p in figures.trend],
            title=_("Index by month, with its 95%% interval"), y_label=_("Index"), y_max=top,
            fmt=fmt, minimum_sample=spec.minimum_sample, chart_id="trend-chart", text=text)
    if ranked:
        drawn["ranking"] = charts.ranking_chart(
            [(row["label"], row["index"], _interval(row["ci95"]), row["n"]) for row in ranked],
            title=_("Index by %(dimension)s, with its 95%% interval",
                    dimension=breakdown_label.lower()),
            x_max=top, fmt=fmt, reference=figures.report.get("index"),
            reference_label=_("All"), minimum_sample=spec.minimum_sample, chart_id="ranking-chart",
            text=text)
    rows = figures.distribution.get("rows") if figures.distribution else None
    if rows and figures.distribution.get("columns"):
        scale = {cell["value"]: cell["label"] for cell in rows[0]["cells"]
                 if cell["value"] != NO_OPINION}
        with_no_opinion = any(cell["value"] == NO_OPINION for cell in rows[0]["cells"])
        counts = [(row["code"], {(None if cell["value"] == NO_OPINION else cell["value"]):
                                 cell["count"] for cell in row["cells"]}) for row in rows]
        if 0 < len(scale) <= len(charts.SCALE_FILLS):
            drawn["distribution"] = charts.distribution_chart(
                counts, scale, title=_("Share of each answer, per question"),
                no_opinion=with_no_opinion, chart_id="distribution-chart", text=text)
    return drawn
