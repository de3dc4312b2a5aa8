"""Forms of the citizen's case pages and the officer's desk."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    Email,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from survey.forms.base import Form

TEXT_MAX = 5000


def optional_id(value) -> int | None:
    """A posted id, or None for the empty "choose…" option; anything else is refused."""
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    if not (isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10):
        raise ValueError(value)
    return int(value)


class CaseFormBase(Form):
    filing_key = HiddenField()  # one-time: a re-sent form never files a second case
    subject = StringField(_l("Subject (one line)"), validators=[InputRequired(), Length(max=200)])
    description = TextAreaField(_l("What happened? Please give the facts, the place and the time"),
                                validators=[InputRequired(), Length(max=TEXT_MAX)])
    # Starts on an empty "choose…" option; required by validate_unit_id (InputRequired would
    # take the empty option as an answer, DataRequired would drown the "not on the list" error).
    # types-WTForms describes WTForms 3.2; the two messages' keywords came in 3.3.
    unit_id = SelectField(  # type: ignore[call-arg]
        _l("Office concerned"), coerce=optional_id,
        invalid_value_message=_l("Please choose an office from the list."),
        invalid_choice_message=_l("Please choose an office from the list."))
    counter = HiddenField()
    procedure = SelectField(_l("Procedure concerned (optional)"), validators=[Optional()])
    files = MultipleFileField(_l("Attach up to 5 files (JPEG, PNG or PDF, 10 MB each; optional)"))
    consent = BooleanField(
        _l("I agree that my personal data in this form is processed to handle this case, "
           "and for nothing else."), default=False)

    def validate_unit_id(self, field):
        if field.data is None and not field.process_errors:
            raise ValidationError(_l("Please choose the office your case is about."))

    def validate_consent(self, field):
        if not field.data and self.needs_consent():
            raise ValidationError(_l("Please tick the box: without your consent we cannot "
                                     "process the personal data you gave."))

    def needs_consent(self) -> bool:
        """Consent is asked whenever the form holds personal data."""
        return any((getattr(self, name).data or "").strip()
                   for name in ("name", "address", "phone", "email") if hasattr(self, name))


class FeedbackForm(CaseFormBase):
    anonymous = BooleanField(_l("Send anonymously (we will not be able to answer you in person)"))
    name = StringField(_l("Your name (optional)"), validators=[Optional(), Length(max=200)])
    address = StringField(_l("Address (optional)"), validators=[Optional(), Length(max=400)])
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), Length(max=40)])
    email = StringField(_l("Email, to be told when there is an answer (optional)"),
                        validators=[Optional(), Email(), Length(max=200)])


class ComplaintForm(CaseFormBase):
    complaint_round = RadioField(_l("Is this your first complaint about this decision?"),
                                 choices=[("1", _l("Yes, a first complaint")),
                                          ("2", _l("No, I disagree with the answer to my first "
                                                   "complaint (second complaint)"))],
                                 default="1", validators=[InputRequired()])
    decision_complained = TextAreaField(
        _l("The administrative decision or act you complain about (number, date, who issued it)"),
        validators=[InputRequired(), Length(max=TEXT_MAX)])
    name = StringField(_l("Your full name"), validators=[InputRequired(), Length(max=200)])
    address = StringField(_l("Your address"), validators=[InputRequired(), Length(max=400)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    email = StringField(_l("Email"), validators=[Optional(), Email(), Length(max=200)])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Optional() ends each field's own chain when empty, so "one of the two" is checked here.
        if not (self.phone.data or "").strip() and not (self.email.data or "").strip():
            self.phone.errors = [
                *self.phone.errors,
                _l("Give a phone number or an email, so the office can reach you.")]
            return False
        return valid


class DenunciationForm(CaseFormBase):
    accused_description = TextAreaField(
        _l("Who or which body do you denounce, and for what violation?"),
        validators=[InputRequired(), Length(max=TEXT_MAX)])
    accused_id = SelectField(_l("If it is an officer of this office, choose them (optional)"),
                             coerce=int, validators=[Optional()])
    anonymous = BooleanField(_l("Denounce anonymously"))
    name = StringField(_l("Your full name"), validators=[Optional(), Length(max=200)])
    address = StringField(_l("Your address"), validators=[Optional(), Length(max=400)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    email = StringField(_l("Email"), validators=[Optional(), Email(), Length(max=200)])

    def validate_name(self, field):
        if not self.anonymous.data and not (field.data or "").strip():
            raise ValidationError(_l("The law asks for the denouncer's name; or choose "
                                     "“Denounce anonymously”."))

    def validate_address(self, field):
        if not self.anonymous.data and not (field.data or "").strip():
            raise ValidationError(_l("The law asks for the denouncer's address."))


class TrackForm(Form):
    code = StringField(_l("Receipt code"), validators=[InputRequired(), Length(max=40)])


class CitizenMessageForm(Form):
    code = HiddenField(validators=[InputRequired()])
    body = TextAreaField(_l("Add information"), validators=[Optional(), Length(max=TEXT_MAX)])
    files = MultipleFileField(_l("Attach files (JPEG, PNG or PDF, 10 MB each)"))


class ReceiptPdfForm(Form):
    """Download the receipt as a PDF: the code travels in the POST body, never in the URL."""

    code = HiddenField(validators=[InputRequired(), Length(max=40)])
    size = HiddenField()  # A4 or A5, from the button pressed


class WithdrawForm(Form):
    code = HiddenField(validators=[InputRequired()])
    scope = RadioField(_l("What do you withdraw?"),
                       choices=[("part", _l("Some points only")),
                                ("whole", _l("The whole case"))],
                       validators=[InputRequired()])
    # no Optional(): it would end the chain before validate_points when the field is empty
    points = TextAreaField(_l("The points you withdraw (they will not be considered again)"),
                           validators=[Length(max=TEXT_MAX)])
    reason = TextAreaField(_l("Reason for the withdrawal"),
                           validators=[InputRequired(), Length(max=TEXT_MAX)])
    confirm = BooleanField(_l("I understand that a withdrawn case or point is not handled "
                              "again."))

    def validate_points(self, field):
        if self.scope.data == "part" and not (field.data or "").strip():
            raise ValidationError(_l("List the points you withdraw."))

    def validate_confirm(self, field):
        if not field.data:
            raise ValidationError(_l("Please tick the box to confirm the withdrawal."))


class RateAnswerForm(Form):
    code = HiddenField(validators=[InputRequired()])
    satisfied = RadioField(_l("Are you satisfied with the answer?"),
                           choices=[("yes", _l("Yes, satisfied")), ("no", _l("No, not satisfied"))],
                           validators=[InputRequired()])
    reason = TextAreaField(_l("If not, why? (the case will be looked at again)"),
                           validators=[Optional(), Length(max=TEXT_MAX)])


# ---- staff ---------------------------------------------------------------------------------------

class ActionForm(Form):
    action = HiddenField(validators=[InputRequired()])
    text = TextAreaField(_l("Reason or answer (the citizen reads it)"),
                         validators=[Optional(), Length(max=TEXT_MAX)])
    forwarded_to = StringField(_l("Body the case is forwarded to"),
                               validators=[Optional(), Length(max=300)])


class NoteForm(Form):
    body = TextAreaField(_l("Internal note (never shown to the citizen)"),
                         validators=[InputRequired(), Length(max=TEXT_MAX)])


class ReplyForm(Form):
    body = TextAreaField(_l("Reply to the citizen"), validators=[InputRequired(),
                                                                 Length(max=TEXT_MAX)])


class ExtensionForm(Form):
    complexity = RadioField(_l("The case is"), choices=[("1", _l("complex")),
                                                        ("2", _l("especially complex"))],
                            default="1", validators=[InputRequired()])
    reason = TextAreaField(_l("Written reason for the extension"),
                           validators=[InputRequired(), Length(max=TEXT_MAX)])


class DecideExtensionForm(Form):
    decision = HiddenField(validators=[InputRequired()])


class ReassignForm(Form):
    officer_id = SelectField(_l("Assign to"), coerce=int, validators=[InputRequired()])


class RevealForm(Form):
    reason = TextAreaField(_l("Why do you need to see the denouncer's identity?"),
                           validators=[InputRequired(), Length(min=10, max=500)])


class DeskFilterForm(Form):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    state = SelectField(_l("State"), validators=[Optional()])
    kind = SelectField(_l("Kind"), validators=[Optional()])
    late = BooleanField(_l("Late only"))
