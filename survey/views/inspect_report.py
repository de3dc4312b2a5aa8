"""The annual assessment report of a unit: a printable page and an A4 PDF.

Both are made from one document (``report_document``): text translated and numbers formatted in
the current locale. The page follows the user's language; the PDF is always in Vietnamese, the
language of the official file. Leaders and inspectors reach only units of their own subtree.
"""

from __future__ import annotations

from datetime import date

from flask import Response, render_template, request, url_for
from flask_babel import force_locale, format_date, format_datetime, format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from survey.clock import local_today
from survey.forms.inspect import CHANNEL_LABELS, METHOD_LABELS, RATIO_LABELS, ReportForm
from survey.models.base import utcnow
from survey.render.labels import KINDS
from survey.render.messages import plain
from survey.services.annual_report import build_annual_report
from survey.views.inspect import bp, endpoint, scope_unit, visible_units
from survey.web.i18n import percent

DAY = "dd/MM/yyyy"  # as official documents write dates, in both languages
WIDE = (3.6, 1.1, 1, 1.9)  # a long label, n, a figure and its interval
CASE_COLUMNS = {
    "received": _l("Received"), "outside_competence": _l("Outside competence"),
    "resolved": _l("Resolved"), "on_time": _l("On time"), "late": _l("Late"),
    "open_overdue": _l("Open past deadline"),
}


def _chosen():
    """The form, and the unit and year it names (404 for a unit outside the user's subtree)."""
    form = ReportForm(request.args, unit=current_user.unit.code, year=local_today().year - 1)
    form.unit.choices = [(u.code, u.name) for u in visible_units()]
    unit = scope_unit(form.unit.data)
    return form, unit, (form.year.data if form.validate() else None)


@bp.get("/report", endpoint=endpoint("report"))
def report():
    form, unit, year = _chosen()
    if year is None:
        return render_template("inspect/report.html", form=form, document=None), 400
    document = report_document(build_annual_report(unit, year))
    return render_template("inspect/report.html", form=form, document=document,
                           pdf_url=url_for(".report_pdf", unit=unit.code, year=year))


@bp.get("/report.pdf", endpoint=endpoint("report_pdf"))
def report_pdf():
    from survey.render import report_pdf as pdf

    form, unit, year = _chosen()
    if year is None:
        return render_template("inspect/report.html", form=form, document=None), 400
    data = build_annual_report(unit, year)
    with force_locale("vi"):  # the official file is in Vietnamese whatever the page's language
        content = pdf.render(report_document(data))
    name = f"bao-cao-hai-long-{unit.code.lower()}-{year}.pdf"
    return Response(content, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# --- the document: one for the page and the PDF ------------------------------------------------

def _count(n: int | None) -> str:
    return "–" if n is None else format_decimal(n)


def _points(value: float | None) -> str:
    return "–" if value is None else format_decimal(value, format="#,##0.00")


def _signed(value: float | None) -> str:
    return "–" if value is None else format_decimal(value, format="+#,##0.00;-#,##0.00")


def _span(ci: list | None, show=percent) -> str:
    return "–" if not ci else f"{show(ci[0])} – {show(ci[1])}"


def _level(value: int) -> str:
    return percent(value, digits=0)


def _interval() -> str:
    return _("%(level)s interval", level=_level(95))


def _day(iso: str) -> str:
    return format_date(date.fromisoformat(iso), DAY)


def _pick(texts: dict | None, code: str) -> str:
    """A bilingual questionnaire text in the current language, led by its code."""
    if not texts:
        return code
    return f"{code}. {texts.get(str(get_locale())) or texts.get('vi') or ''}"


def _show(method: str):
    return _points if method == "decree61" else percent


def report_document(report: dict):
    """The report as a document of translated text and formatted numbers (current locale)."""
    from survey.render import report_pdf as pdf

    period = _("%(start)s to %(end)s", start=_day(report["from"]), end=_day(report["to"]))
    lines = [report["unit"]["name"], _("Year %(year)s (%(period)s)", year=report["year"],
                                       period=period)]
    if not report["complete"]:
        lines.append(_("The year is not over: figures up to %(day)s.",
                       day=_day(report["cases"]["as_of"])))
    generated = _("Generated on %(moment)s", moment=format_datetime(utcnow(), f"HH:mm {DAY}"))
    return pdf.Document(
        title=_("Annual satisfaction assessment report"), lines=lines, generated=generated,
        page_label=_("Page %(page)s of %(pages)s", page="{page}", pages=pdf.PAGE_ALIAS),
        sections=[_method_and_sample(pdf, report), _indices(pdf, report),
                  _comparison(pdf, report), _cases(pdf, report)])


def _method_and_sample(pdf, report: dict):
    rate, sipas = report["methods"]["satisfaction-rate"], report["methods"]["sipas"]
    points = next(f.get("max_points") for f in report["indices"] if f["method"] == "decree61")
    sample = report["sample"]
    blocks = [pdf.Subheading(_("Method")), *[pdf.Paragraph(text) for text in (
        _("Scope: %(unit)s and every unit under it, in Vietnam time. Responses that inspectors "
          "set aside as suspicious are left out.", unit=report["unit"]["name"]),
        _("Satisfaction rate: the share of answers to the overall question at %(threshold)s or "
          "above on the %(scale)s-point scale.", threshold=rate["satisfied_threshold"],
          scale=rate["scale_max"]),
        _("SIPAS index (Decision 2640/QĐ-BNV; Decision 1001/QĐ-BNV for 2023-2026): for each "
          "criterion, the share of valid answers at %(threshold)s or above; an element is the "
          "mean of its criteria and the index the mean of the elements. “No opinion” is left "
          "out of every denominator.", threshold=sipas["satisfied_threshold"]),
        _("Decree 61/2018 evaluation: nine criteria scored 0 to 2 points; the figure is the mean "
          "total out of %(points)s.", points=points or 18),
        _("Decision 766/QĐ-TTg ratios: feedback handled on time, satisfaction with feedback "
          "handling and satisfaction with procedures."),
        _("Each figure comes with its %(level)s confidence interval; one from fewer than "
          "%(minimum)s answers is not reliable.", level=_level(95),
          minimum=rate["minimum_sample"]),
    )], pdf.Subheading(_("Sample")), pdf.Paragraph(_(
        "%(responses)s responses counted, %(excluded)s set aside by inspectors; %(previous)s "
        "responses the year before.", responses=_count(sample["responses"]),
        excluded=_count(sample["excluded"]), previous=_count(sample["previous_responses"])))]
    blocks.append(_coverage(pdf, sample))
    channels = [[str(CHANNEL_LABELS[row["channel"]]), _count(row["responses"]),
                 _count(row["excluded"])] for row in sample["by_channel"]]
    channels.append([_("Total"), _count(sum(r["responses"] for r in sample["by_channel"])),
                     _count(sample["excluded"])])
    blocks.append(pdf.Table([_("Channel"), _("Responses"), _("Set aside")], channels,
                            caption=_("Responses by channel"),
                            strong=frozenset({len(channels) - 1})))
    return pdf.Section(_("1. Method and sample"), blocks)


def _coverage(pdf, sample: dict):
    if sample["transactions"] is None:
        return pdf.Paragraph(_("No transaction counts were entered for this year: the required "
                               "sample and the response rate cannot be given."), note=True)
    enough = {True: _("Yes"), False: _("No"), None: "–"}[sample["sample_sufficient"]]
    return pdf.Table([_("Transactions and sample"), _("Value")], [
        [_("Transactions"), _count(sample["transactions"])],
        [_("Required sample (margin of error %(margin)s)", margin=_level(5)),
         _count(sample["required_sample"])],
        [_("Responses"), _count(sample["responses"])],
        [_("Response rate"), percent(sample["response_rate"])],
        [_("Sample sufficient"), enough]])


def _notes(pdf, figure: dict, label: str) -> list:
    if not figure["n"]:
        return [pdf.Paragraph(_("%(method)s: no answer in this year.", method=label), note=True)]
    return [pdf.Paragraph(f"{label}: {plain(warning)}", note=True)
            for warning in figure["warnings"]]


def _indices(pdf, report: dict):
    rows, notes = [], []
    for figure in report["indices"]:
        label, show = str(METHOD_LABELS[figure["method"]]), _show(figure["method"])
        rows.append([label, _count(figure["n"]), show(figure["index"]),
                     _span(figure["ci95"], show)])
        notes += _notes(pdf, figure, label)
    header = [_("Element or criterion"), _("Respondents"), _("Index"), _interval()]
    blocks = [pdf.Table([_("Method"), *header[1:]], rows, caption=_("Indices"), widths=WIDE),
              *notes,
              pdf.Subheading(_("SIPAS: elements and criteria"))]
    elements: list[list[str]] = []
    strong: set[int] = set()
    for element in report["sipas_elements"]:
        strong.add(len(elements))
        for item in (element, *element["criteria"]):
            texts = item.get("name") or item.get("text")
            elements.append([_pick(texts, item["code"]), _count(item["n"]),
                             percent(item["index"]), _span(item["ci95"])])
    blocks.append(pdf.Table(header, elements, strong=frozenset(strong), widths=WIDE))
    blocks.append(pdf.Subheading(_("Decree 61: criteria")))
    blocks.append(pdf.Table(
        [_("Criterion"), _("Respondents"), _("Mean points"), _interval()],
        [[_pick(c["text"], c["code"]), _count(c["n"]), _points(c["index"]),
          _span(c["ci95"], _points)] for c in report["decree61_criteria"]], widths=WIDE))
    return pdf.Section(_("2. Satisfaction indices"), blocks)


def _figure_label(row: dict) -> str:
    method = str(METHOD_LABELS[row["method"]])
    if row["method"] == "qd766":
        return str(RATIO_LABELS.get(row["code"], row["code"]))
    return method if row["code"] is None else f"{method}: {row['code']}"


def _has_figure(row: dict) -> bool:
    return any((row[side] or {}).get("index") is not None for side in ("before", "after"))


def _comparison(pdf, report: dict):
    year = report["year"]
    rows = [[_figure_label(row), _show(row["method"])((row["before"] or {}).get("index")),
             _show(row["method"])((row["after"] or {}).get("index")), _signed(row["difference"]),
             _span(row["ci95"], _signed), plain(row["verdict_text"])]
            for row in report["comparison"] if _has_figure(row)]
    header = [_("Figure"), str(year - 1), str(year), _("Change (points)"),
              _("%(level)s interval of the change", level=_level(95)), _("Verdict")]
    return pdf.Section(_("3. Comparison with last year"), [
        pdf.Paragraph(_("Each change is this year's figure minus last year's, in points; it is "
                        "called significant when a test rejects “no change” at the %(level)s "
                        "level.", level=_level(5))),
        pdf.Table(header, rows, widths=(2.4, 1, 1, 1, 1.7, 1.9), left=frozenset({0, 5}))])


def _cases(pdf, report: dict):
    cases, minimum = report["cases"], report["methods"]["qd766"]["minimum_sample"]
    kinds = {kind.value: str(label) for kind, label in KINDS.items()}
    rows = [[kinds[row["kind"]], *(_count(row[c]) for c in CASE_COLUMNS)]
            for row in cases["by_kind"]]
    rows.append([_("Total"), *(_count(cases["total"][c]) for c in CASE_COLUMNS)])
    ratios = [[str(RATIO_LABELS[r["code"]]), _count(r["n"]), percent(r["index"]),
               _span(r["ci95"]), percent(r["previous"]["index"])]
              for r in report["qd766"]["ratios"]]
    return pdf.Section(_("4. Feedback, complaints and denunciations"), [
        pdf.Table([_("Kind"), *(str(label) for label in CASE_COLUMNS.values())], rows,
                  widths=(2.2, 1, 1.2, 1, 1, 1, 1.2), strong=frozenset({len(rows) - 1})),
        pdf.Paragraph(_("Numbers only, with no personal data. Outside competence: refused or "
                        "forwarded to the competent body. Open past deadline: not resolved on "
                        "%(day)s although a statutory deadline had passed.",
                        day=_day(cases["as_of"])), note=True),
        pdf.Subheading(_("Decision 766 ratios")),
        pdf.Table([_("Ratio"), _("Cases or responses"), _("Value"), _interval(),
                   str(report["year"] - 1)], ratios, widths=(2.6, 1.1, 1, 1.6, 1)),
        *[pdf.Paragraph(_("%(ratio)s: fewer than %(minimum)s cases or responses, not reliable.",
                          ratio=str(RATIO_LABELS[r["code"]]), minimum=minimum), note=True)
          for r in report["qd766"]["ratios"] if (r["n"] or 0) < minimum],
    ])
