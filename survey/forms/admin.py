"""Forms of the administration pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

CODE = Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Use letters, digits, '.', '-' or '_' only."))


class UnitForm(FlaskForm):
    code = StringField(_l("Code"), validators=[InputRequired(), Length(max=40), CODE])
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    level = StringField(_l("Level (e.g. province, service centre, commune)"),
                        validators=[InputRequired(), Length(max=80)])
    parent_id = SelectField(_l("Parent unit"), coerce=int, validators=[Optional()])


class CounterForm(FlaskForm):
    unit_id = SelectField(_l("Unit"), coerce=int, validators=[InputRequired()])
    code = StringField(_l("Code"), validators=[InputRequired(), Length(max=40), CODE])
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    active = BooleanField(_l("In service"), default=True)


class ProcedureForm(FlaskForm):
    code = StringField(_l("Code"), validators=[InputRequired(), Length(max=40), CODE])
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=500)])
    field = StringField(_l("Field"), validators=[InputRequired(), Length(max=200)])
    processing_days = IntegerField(_l("Prescribed processing time (working days)"),
                                   validators=[Optional(), NumberRange(min=0, max=365)])
    unit_ids = SelectMultipleField(_l("Units that handle it"), coerce=int)


class DutyForm(FlaskForm):
    officer_id = SelectField(_l("Officer on duty"), coerce=int)


class TokensForm(FlaskForm):
    count = IntegerField(_l("Number of one-time links"), default=10,
                         validators=[InputRequired(), NumberRange(min=1, max=500)])


class ConfirmForm(FlaskForm):
    """A form with only the CSRF token, for POST buttons."""
