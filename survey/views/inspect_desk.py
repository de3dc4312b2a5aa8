"""The desk page, its comments and its exports: one filter form drives them all."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from flask import abort, render_template, request, send_file
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from survey.analysis.method_spec import MethodSpec
from survey.analysis.run import Scope
from survey.clock import local_today
from survey.extensions import db
from survey.forms.base import add_error
from survey.forms.inspect import (
    BREAKDOWN_LABELS,
    CHANNEL_LABELS,
    COMPARE_LABELS,
    FLAG_LABELS,
    METHOD_LABELS,
    RATIO_LABELS,
    DeskFilterForm,
)
from survey.models import Counter, Procedure, Role, Unit
from survey.render.desk_charts import desk_charts
from survey.services import desk, exclusions, indices
from survey.services.exports import FORMATS, export_responses
from survey.services.org import subtree_ids
from survey.views.inspect import bp, endpoint, visible_unit_ids, visible_units

MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "sav": "application/x-spss-sav"}


@dataclass
class Choice:
    """What the filter form asked for, checked against what the user may see."""

    form: DeskFilterForm
    spec: MethodSpec
    scope: Scope
    unit: Unit


def may_export_comments() -> bool:
    """Inspectors may take comments away (masked); leaders see them on the desk only.

    A leader's staff are the ones being rated, so a file of comments stays with the inspectorate.
    """
    return current_user.role == Role.INSPECTOR


def filter_form() -> DeskFilterForm:
    """The filter form read from the query string, its choices limited to the user's subtree."""
    form = DeskFilterForm(request.args)
    form.unit.choices = [(u.code, f"{u.code} – {u.name}") for u in visible_units()]
    counters = db.session.execute(select(Counter.code, Counter.name)
                                  .where(Counter.unit_id.in_(visible_unit_ids()))
                                  .order_by(Counter.code)).all()
    form.counter.choices = [("", _("All counters"))] + [(c.code, f"{c.code} – {c.name}")
                                                       for c in counters]
    procedures = db.session.execute(select(Procedure.code, Procedure.name)
                                    .order_by(Procedure.code)).all()
    form.procedure.choices = [("", _("All procedures"))] + [
        (p.code, f"{p.code} – {p.name[:80]}") for p in procedures]
    if not request.args.get("date_from") and not request.args.get("date_to"):
        form.date_from.data, form.date_to.data = desk.default_period(local_today())
    if not form.unit.data:
        form.unit.data = db.get_or_404(Unit, current_user.unit_id).code
    return form


def read_choice(form: DeskFilterForm) -> Choice | None:
    """The checked choice; None, with the errors on the form, when something is wrong."""
    if not form.validate():
        return None
    unit = db.session.scalar(select(Unit).where(Unit.code == form.unit.data))
    if unit is None:  # the code was one of the choices (or the user's own unit's)
        abort(404)
    counter_id = procedure_id = None
    if form.counter.data:
        counter = db.session.scalar(select(Counter).where(Counter.code == form.counter.data))
        if counter is None or counter.unit_id not in subtree_ids(unit.id):
            add_error(form.counter, _("This counter does not belong to the chosen unit."))
            return None
        counter_id = counter.id
    if form.procedure.data:
        procedure_id = db.session.scalar(select(Procedure.id)
                                         .where(Procedure.code == form.procedure.data))
    scope = indices.scope(form.date_from.data, form.date_to.data, unit, counter_id=counter_id,
                          procedure_id=procedure_id)
    return Choice(form, indices.load_method(form.method.data), scope, unit)


def choice_or_400() -> Choice:
    choice = read_choice(filter_form())
    if choice is None:
        abort(400)
    return choice


@bp.app_template_filter("points")
def points_filter(value: float | None) -> str:
    """Decree 61 points (out of 18) with two decimals, the locale's way (15,40)."""
    return "–" if value is None else format_decimal(value, format="#,##0.00")


@bp.app_template_filter("change")
def change_filter(value: float | None) -> str:
    """A change in points with its sign (+2,35 or −1,20)."""
    return "–" if value is None else format_decimal(value, format="+#,##0.00;-#,##0.00")


@bp.app_template_filter("p_value")
def p_value_filter(value: float | None) -> str:
    if value is None:
        return "–"
    return "< " + format_decimal(0.001, format="0.000") if value < 0.001 else \
        format_decimal(value, format="0.000")


@bp.app_template_global("form_query")
def form_query(form: DeskFilterForm) -> str:
    """The filters as a query string, so links from the desk keep what was chosen."""
    values = {}
    for field in form:
        data = field.data
        if data in (None, "", False):
            continue
        values[field.name] = data.isoformat() if hasattr(data, "isoformat") else \
            ("y" if data is True else data)
    return urlencode(values)


def _labels() -> dict:
    return {"methods": METHOD_LABELS, "breakdowns": BREAKDOWN_LABELS, "compare": COMPARE_LABELS,
            "ratio_labels": RATIO_LABELS}


@bp.get("/", endpoint=endpoint("desk"))
def desk_page():
    form = filter_form()
    choice = read_choice(form)
    if choice is None:
        return render_template("inspect/desk.html", form=form, figures=None, **_labels()), 400
    lang = str(get_locale())
    figures = desk.figures(choice.spec, choice.scope, form.by.data,
                           form.compare.data or None, lang=lang)
    total, comments = desk.masked_comments(choice.scope)
    ranked = desk.breakdown_rows(figures.breakdown, form.by.data, CHANNEL_LABELS) \
        if figures.breakdown else []
    codes = choice.spec.question_codes()
    scope = choice.scope
    flag_counts = exclusions.flag_counts(scope.unit_ids, scope.start, scope.end)
    return render_template("inspect/desk.html", form=form, spec=choice.spec, unit=choice.unit,
                           figures=figures, ranked_groups=ranked, comments=comments,
                           comments_total=total, may_export_comments=may_export_comments(),
                           element_names=desk.element_names(lang),
                           question_texts={code: text["text"] for code, text
                                           in desk.question_texts(codes, lang).items()},
                           flag_counts=flag_counts, flag_labels=FLAG_LABELS,
                           charts=desk_charts(figures, choice.spec, ranked,
                                              str(BREAKDOWN_LABELS[form.by.data])),
                           **_labels())


@bp.get("/comments", endpoint=endpoint("comments"))
def comments_page():
    choice = choice_or_400()
    page = max(request.args.get("page", 1, type=int), 1)
    total, comments = desk.masked_comments(choice.scope, page)
    return render_template("inspect/comments.html", form=choice.form, unit=choice.unit,
                           comments=comments, total=total, page=page,
                           per_page=desk.COMMENTS_PER_PAGE)


@bp.get("/export.<fmt>", endpoint=endpoint("export"))
def export(fmt: str):
    if fmt not in FORMATS:
        abort(404)
    choice = choice_or_400()
    with_comments = bool(choice.form.comments.data) and may_export_comments()
    handle, path = tempfile.mkstemp(suffix=f".{fmt}")
    os.close(handle)
    scope = choice.scope
    export_responses(fmt, Path(path), date_from=scope.start_day, date_to=scope.end_day,
                     unit_ids=scope.unit_ids, counter_id=scope.counter_id,
                     procedure_id=scope.procedure_id, include_comments=with_comments)
    # A file on disk, streamed and then removed: memory stays flat whatever the size.
    reply = send_file(path, mimetype=MIMETYPES[fmt], as_attachment=True,
                      download_name=_file_name(choice, fmt))
    reply.call_on_close(lambda: os.unlink(path))
    return reply


def _file_name(choice: Choice, fmt: str) -> str:
    scope = choice.scope
    return f"phieu-khao-sat-{choice.unit.code}-{scope.start_day}-{scope.end_day}.{fmt}"
