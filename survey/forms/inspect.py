"""The inspector's desk filters: one GET form shared by the desk, its exports and its lists."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from survey.clock import local_today
from survey.forms.base import Form

METHOD_LABELS = {
    "satisfaction-rate": _l("Quick satisfaction rate"),
    "sipas": _l("SIPAS index"),
    "decree61": _l("Decree 61 evaluation (18 points)"),
    "qd766": _l("Decision 766 ratios"),
}
RATIO_LABELS = {
    "on_time": _l("Feedback and complaints handled on time"),
    "feedback_satisfaction": _l("Satisfaction with the handling of feedback and complaints"),
    "procedure_satisfaction": _l("Satisfaction with administrative procedures"),
}
BREAKDOWN_LABELS = {
    "unit": _l("Unit"), "counter": _l("Counter"), "procedure": _l("Procedure"),
    "officer": _l("Officer"), "channel": _l("Channel"), "month": _l("Month"),
    "quarter": _l("Quarter"), "year": _l("Year"),
}
CHANNEL_LABELS = {
    "qr": _l("QR code at the counter"), "kiosk": _l("Kiosk"), "paper": _l("Paper form"),
    "online": _l("Online"),
}
COMPARE_LABELS = {
    "": _l("No comparison"),
    "previous": _l("The period just before"),
    "last_year": _l("The same period last year"),
}


class DeskFilterForm(Form):
    class Meta:
        csrf = False  # a GET form that only chooses what to look at

    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    unit = SelectField(_l("Unit"), validators=[Optional()])
    counter = SelectField(_l("Counter"), validators=[Optional()])
    procedure = SelectField(_l("Procedure"), validators=[Optional()])
    method = SelectField(_l("Method"), choices=list(METHOD_LABELS.items()), default="sipas")
    by = SelectField(_l("Breakdown"), choices=list(BREAKDOWN_LABELS.items()), default="unit")
    compare = SelectField(_l("Compare with"), choices=list(COMPARE_LABELS.items()), default="",
                          validators=[Optional()])
    comments = BooleanField(_l("Include comments (personal data masked)"))

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))


FLAG_LABELS = {
    "burst": _l("Burst: many responses from one counter within minutes"),
    "identical_run": _l("Run of identical answers"),
    "out_of_hours": _l("Outside opening hours"),
    "repeat_browser": _l("One browser answering repeatedly"),
    "excluded": _l("Excluded"),
}


class ExclusionForm(Form):
    """Exclude the ticked responses (or every response flagged ``kind``) with a reason."""

    reason = TextAreaField(_l("Reason (kept in the audit trail)"),
                           validators=[DataRequired(), Length(max=500)])
    kind = HiddenField()


class InclusionForm(Form):
    """Put the ticked excluded responses back into the figures."""


FIRST_YEAR = 2000


class ReportForm(Form):
    """The annual report's unit and year (a year that has begun, from 2000 on)."""

    class Meta:
        csrf = False  # a GET form that only chooses what to look at

    unit = SelectField(_l("Unit"))
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(min=FIRST_YEAR)])

    def validate_year(self, field):
        if field.data and field.data > local_today().year:
            raise ValidationError(_l("This year has not begun yet."))
