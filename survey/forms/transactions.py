"""Forms of the transaction counts page: choose a unit and year, type twelve months, import."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField
from wtforms.validators import InputRequired, Optional, ValidationError

from survey.forms.base import Form
from survey.render.labels import count_problem_text

MONTHS = range(1, 13)


class ChooseUnitYearForm(Form):
    class Meta:
        csrf = False  # a GET form that changes nothing

    unit = SelectField(_l("Unit"), coerce=int, validators=[InputRequired()])
    year = SelectField(_l("Year"), coerce=int, validators=[InputRequired()])


def _count(form, field) -> None:
    """The import's rules for a count; a box that is not a number has its own error already."""
    problem = None if field.data is None else count_problem_text(field.data)
    if problem:
        raise ValidationError(problem)


class MonthCountsForm(Form):
    """One box per month, ``m01`` to ``m12``; an empty box means no count for that month."""

    def month_fields(self) -> list:
        return [self[f"m{number:02d}"] for number in MONTHS]


for _number in MONTHS:  # WTForms picks up fields set on the class before it is instantiated
    setattr(MonthCountsForm, f"m{_number:02d}", IntegerField(
        validators=[Optional(), _count],
        render_kw={"inputmode": "numeric", "min": 0, "step": 1}))


class ImportCountsForm(Form):
    file = FileField(_l("CSV or XLSX file"), validators=[
        FileRequired(), FileAllowed(["csv", "xlsx"], _l("Choose a .csv or .xlsx file."))])
    dry_run = BooleanField(_l("Only check the file; store nothing"))
