"""Forms of the administration pages."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, Regexp

from survey.forms.base import Form

CODE = Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Use letters, digits, '.', '-' or '_' only."))


class UnitForm(Form):
    code = StringField(_l("Code"), validators=[InputRequired(), Length(max=40), CODE])
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    level = StringField(_l("Level (e.g. province, service centre, commune)"),
                        validators=[InputRequired(), Length(max=80)])
    parent_id = SelectField(_l("Parent unit"), coerce=int, validators=[Optional()])


class CounterForm(Form):
    unit_id = SelectField(_l("Unit"), coerce=int, validators=[InputRequired()])
    code = StringField(_l("Code"), validators=[InputRequired(), Length(max=40), CODE])
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    active = BooleanField(_l("In service"), default=True)


class ProcedureForm(Form):
    code = StringField(_l("Code"), validators=[InputRequired(), Length(max=40), CODE])
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=500)])
    field = StringField(_l("Field"), validators=[InputRequired(), Length(max=200)])
    processing_days = IntegerField(_l("Prescribed processing time (working days)"),
                                   validators=[Optional(), NumberRange(min=0, max=365)])
    unit_ids = SelectMultipleField(_l("Units that handle it"), coerce=int)


class DutyForm(Form):
    officer_id = SelectField(_l("Officer on duty"), coerce=int)


class TokensForm(Form):
    count = IntegerField(_l("Number of one-time links"), default=10,
                         validators=[InputRequired(), NumberRange(min=1, max=500)])


class ConfirmForm(Form):
    """A form with only the CSRF token, for POST buttons."""


class RoutingRuleForm(Form):
    kind = SelectField(_l("Kind of case"), validators=[Optional()])
    unit_id = SelectField(_l("Office concerned (with its sub-units)"), coerce=int,
                          validators=[Optional()])
    procedure_field = StringField(_l("Procedure field"), validators=[Optional(), Length(max=200)])
    topic = StringField(_l("Topic"), validators=[Optional(), Length(max=80)])
    handling_unit_id = SelectField(_l("Handled by"), coerce=int, validators=[InputRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])
    active = BooleanField(_l("Active"), default=True)


class TryRoutingForm(Form):
    class Meta:
        csrf = False  # a GET form that changes nothing

    kind = SelectField(_l("Kind of case"), validators=[InputRequired()])
    unit_id = SelectField(_l("Office concerned"), coerce=int, validators=[Optional()])
    procedure_field = StringField(_l("Procedure field"), validators=[Optional(), Length(max=200)])
    topic = StringField(_l("Topic"), validators=[Optional(), Length(max=80)])
    accused_id = SelectField(_l("Officer denounced"), coerce=int, validators=[Optional()])


class ConflictForm(Form):
    user_a_id = SelectField(_l("Staff member"), coerce=int, validators=[InputRequired()])
    user_b_id = SelectField(_l("In conflict with"), coerce=int, validators=[InputRequired()])
    reason = StringField(_l("Reason (relatives, same team…)"),
                         validators=[InputRequired(), Length(max=300)])


class CalendarOverrideForm(Form):
    day = DateField(_l("Date"), validators=[InputRequired()])
    kind = SelectField(_l("The day is"), choices=[("day_off", _l("an extra day off")),
                                                  ("working_day", _l("a make-up working day"))],
                       validators=[InputRequired()])
    note = StringField(_l("Decision or note"), validators=[InputRequired(), Length(max=200)])


class IntakeForm(Form):
    unit_id = SelectField(_l("Root intake office"), coerce=int, validators=[InputRequired()])


class UserForm(Form):
    display_name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=200)])
    email = StringField(_l("Email, for deadline notices (optional)"),
                        validators=[Optional(), Email(), Length(max=200)])
    role = SelectField(_l("Role"), validators=[InputRequired()])
    unit_id = SelectField(_l("Unit"), coerce=int, validators=[InputRequired()])
    active = BooleanField(_l("Active (may log in and hold cases)"), default=True)


class NewUserForm(UserForm):
    username = StringField(_l("Username"), validators=[InputRequired(), Length(max=80), CODE])
    password = PasswordField(_l("Initial password (at least 10 characters)"),
                             validators=[InputRequired(), Length(min=10, max=200)])


class UserSearchForm(Form):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = StringField(_l("Search by username or name"), validators=[Optional(), Length(max=100)])
