"""Administration of monthly transaction counts: a unit's year typed in, or a file imported.

Beside each month the page shows what the counts are for: the responses received, the sample
that the month's transactions need, and the response rate (the unit and its sub-units).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.utils import secure_filename

from survey.analysis import load
from survey.analysis.coverage import coverage
from survey.extensions import db
from survey.forms.base import add_error
from survey.forms.transactions import MONTHS, ChooseUnitYearForm, ImportCountsForm, MonthCountsForm
from survey.models import TransactionCount, Unit
from survey.rules.periods import local_midnight
from survey.services import transactions as counts_service
from survey.services.org import subtree_ids
from survey.services.paper_files import ImportFileError
from survey.views.admin import _unit_choices, bp

YEARS_BACK = 5


@dataclass(frozen=True)
class MonthRow:
    month: date
    label: str
    field: object
    stored: TransactionCount | None
    is_future: bool
    rolled_up: int | None  # the unit and its sub-units
    figures: dict  # survey.analysis.coverage.coverage()


def _chooser() -> tuple[ChooseUnitYearForm, Unit | None, int]:
    """Read the unit and year from the query string; no unit until one is chosen."""
    form = ChooseUnitYearForm(request.args)
    this_year = counts_service.today_local().year
    stored = {month.year for month in db.session.scalars(select(TransactionCount.month).distinct())}
    years = sorted(stored | set(range(this_year - YEARS_BACK, this_year + 1)), reverse=True)
    form.unit.choices = _unit_choices()
    form.year.choices = [(year, str(year)) for year in years]
    if "year" not in request.args:
        form.year.data = this_year
    if "unit" not in request.args or not form.validate():
        return form, None, form.year.data if form.year.data in years else this_year
    return form, db.session.get(Unit, form.unit.data), form.year.data


def _months(year: int) -> list[date]:
    return [date(year, number, 1) for number in MONTHS]


def _stored(unit: Unit, year: int) -> dict[date, TransactionCount]:
    return {row.month: row for row in counts_service.list_counts([unit.id], year)}


def _month_rows(unit: Unit, year: int, grid: MonthCountsForm) -> tuple[list[MonthRow], dict]:
    """Each month with its box and figures, and the year's figures."""
    subtree = subtree_ids(unit.id)
    months = _months(year)
    rolled = counts_service.totals(subtree, months[0], date(year, 12, 31), by="month")
    stored, this_month = _stored(unit, year), counts_service.today_local().replace(day=1)
    rows, responses = [], {}
    for month, field in zip(months, grid.month_fields(), strict=True):
        end = date(year + month.month // 12, month.month % 12 + 1, 1)
        responses[month] = 0 if month > this_month else load.overall_share(
            db.session, start=local_midnight(month), end=local_midnight(end), unit_ids=subtree).n
        label = format_date(month, "LLLL")
        rows.append(MonthRow(month, label[:1].upper() + label[1:], field, stored.get(month),
                             month > this_month, rolled.get(month),
                             coverage(rolled.get(month), responses[month])))
    year_total = sum(rolled.values()) if rolled else None
    return rows, coverage(year_total, sum(responses.values()))


def _page(chooser, unit, year, *, grid=None, upload=None, report=None, status=200):
    if unit is not None and grid is None:
        grid = MonthCountsForm(data={f"m{m.month:02d}": row.transactions
                                     for m, row in _stored(unit, year).items()})
    rows, year_figures = _month_rows(unit, year, grid) if unit is not None else ([], None)
    return render_template(
        "admin/transactions.html", chooser=chooser, unit=unit, year=year, grid=grid, rows=rows,
        year_figures=year_figures, has_sub_units=unit is not None and len(subtree_ids(unit.id)) > 1,
        upload=upload or ImportCountsForm(), report=report,
        query={"unit": unit.id, "year": year} if unit is not None else {}), status


@bp.route("/transactions", methods=["GET", "POST"])
def edit_transactions():
    chooser, unit, year = _chooser()
    if request.method == "GET":
        return _page(chooser, unit, year)
    if unit is None:
        abort(404)
    grid = MonthCountsForm(data={f"m{m.month:02d}": row.transactions
                                 for m, row in _stored(unit, year).items()})
    if grid.validate_on_submit():
        typed = {month: field.data for month, field in zip(_months(year), grid.month_fields(),
                                                            strict=True)}
        try:
            changes = counts_service.save_months(unit, typed, actor=current_user)
        except counts_service.CountsError as error:
            db.session.rollback()
            for month, message in error.problems.items():
                add_error(grid.month_fields()[month.month - 1], message)
        else:
            db.session.commit()
            flash(ngettext("Saved: %(num)d month changed.", "Saved: %(num)d months changed.",
                           len(changes)) if changes else _("Nothing changed."))
            return redirect(url_for("admin.edit_transactions", unit=unit.id, year=year))
    return _page(chooser, unit, year, grid=grid, status=400)


@bp.post("/transactions/import")
def import_transactions():
    chooser, unit, year = _chooser()
    upload = ImportCountsForm()
    report = None
    if upload.validate_on_submit():
        report = _import(upload)
    if report is None or report["rejected"] or upload.dry_run.data:
        db.session.rollback()
        return _page(chooser, unit, year, upload=upload, report=report,
                     status=200 if report and not report["rejected"] else 400)
    db.session.commit()
    flash(_("Imported %(imported)d monthly counts; %(unchanged)d were already as in the file.",
            imported=report["imported"], unchanged=report["unchanged"]))
    return redirect(url_for("admin.edit_transactions", **request.args))


def _import(upload: ImportCountsForm) -> dict | None:
    """Import the uploaded file; None with the error on the form when it cannot be read."""
    name = Path(upload.file.data.filename or "")
    with tempfile.TemporaryDirectory() as folder:
        # The name only goes into the audit event; the suffix tells CSV from XLSX.
        path = Path(folder) / f"{secure_filename(name.stem) or 'upload'}{name.suffix.lower()}"
        upload.file.data.save(path)
        try:
            return counts_service.import_counts(path, dry_run=upload.dry_run.data,
                                                actor=current_user)
        except ImportFileError as error:
            add_error(upload.file, str(error))
            return None
