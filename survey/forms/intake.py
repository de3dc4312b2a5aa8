"""Forms of the officer's intake: a case received on paper, and a written withdrawal."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from survey.forms.base import Form
from survey.forms.cases import TEXT_MAX
from survey.models import CaseChannel, CaseKind
from survey.render.labels import CHANNELS, KINDS

# A letter recorded more than a year after it arrived is a typing mistake, not a late entry.
OLDEST_RECEIPT = timedelta(days=366)
PAPER_CHANNELS = [c for c in CaseChannel if c is not CaseChannel.ONLINE]


def check_received_on(value: date | None, today: date) -> None:
    """Refuse a date in the future or more than a year ago (the form shows the message)."""
    if value is None:
        return
    if value > today:
        raise ValidationError(_l("The date received cannot be in the future."))
    if value < today - OLDEST_RECEIPT:
        raise ValidationError(_l("The date received is more than a year ago: please check it."))


class RecordCaseForm(Form):
    filing_key = HiddenField()  # one-time: a re-sent form never records the case twice
    kind = RadioField(_l("Kind"), choices=[(k.value, KINDS[k]) for k in CaseKind],
                      validators=[InputRequired()])
    complaint_round = RadioField(_l("For a complaint: which round?"),
                                 choices=[("1", _l("First complaint")),
                                          ("2", _l("Second complaint"))], default="1")
    channel = RadioField(_l("How it arrived"), choices=[(c.value, CHANNELS[c])
                                                        for c in PAPER_CHANNELS],
                         default=CaseChannel.IN_PERSON.value, validators=[InputRequired()])
    forwarded_from = StringField(_l("If forwarded: the body that sent it"),
                                 validators=[Optional(), Length(max=300)])
    forwarded_from_ref = StringField(_l("Its document number (optional)"),
                                     validators=[Optional(), Length(max=100)])
    received_on = DateField(_l("Date received (the deadlines count from it)"),
                            validators=[InputRequired()])
    unit_id = SelectField(_l("Office concerned"), coerce=int, validators=[InputRequired()])
    subject = StringField(_l("Subject (one line)"), validators=[InputRequired(), Length(max=200)])
    description = TextAreaField(_l("What the citizen says: the facts, the place and the time"),
                                validators=[InputRequired(), Length(max=TEXT_MAX)])
    decision_complained = TextAreaField(
        _l("For a complaint: the decision or act complained about (number, date, issuer)"),
        validators=[Optional(), Length(max=TEXT_MAX)])
    accused_description = TextAreaField(
        _l("For a denunciation: who or which body is denounced, and for what violation"),
        validators=[Optional(), Length(max=TEXT_MAX)])
    accused_id = SelectField(_l("If an officer of these offices is denounced, choose them"),
                             coerce=int, validators=[Optional()])
    anonymous = BooleanField(_l("The citizen gave no name (anonymous feedback or denunciation)"))
    name = StringField(_l("Full name"), validators=[Optional(), Length(max=200)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=400)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    email = StringField(_l("Email (the receipt code is sent there)"),
                        validators=[Optional(), Email(), Length(max=200)])
    files = MultipleFileField(_l("Scanned letter and documents (JPEG, PNG or PDF, up to 5 "
                                 "files, 10 MB each)"))
    consent = BooleanField(_l("The citizen consented in writing (on the letter or the reception "
                              "record) to the processing of the personal data given"))

    def __init__(self, *args, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def validate_received_on(self, field) -> None:
        check_received_on(field.data, self.today)

    def _text(self, name: str) -> str:
        return (getattr(self, name).data or "").strip()

    def _require(self, names: tuple[str, ...], message) -> bool:
        missing = [n for n in names if not self._text(n)]
        for name in missing:
            getattr(self, name).errors = [*getattr(self, name).errors, message]
        return not missing

    def validate(self, extra_validators=None) -> bool:
        """Each kind's fields, as the law asks them (the service checks them again)."""
        valid = super().validate(extra_validators)
        kind, required = self.kind.data, _l("The law asks for this for this kind of case.")
        if kind == CaseKind.COMPLAINT.value:
            valid &= self._require(("decision_complained", "name", "address"), required)
            if not self._text("phone") and not self._text("email"):
                valid &= self._require(("phone",), _l("Give a phone number or an email."))
        elif kind == CaseKind.DENUNCIATION.value:
            valid &= self._require(("accused_description",), required)
            if not self.anonymous.data:
                valid &= self._require(("name", "address"), required)
        if self.channel.data == CaseChannel.FORWARDED.value:
            valid &= self._require(("forwarded_from",), _l("Name the body that forwarded it."))
        has_person = any(self._text(n) for n in ("name", "address", "phone", "email"))
        if has_person and not self.anonymous.data and not self.consent.data:
            self.consent.errors = [*self.consent.errors, _l(
                "Without the citizen's written consent the personal data cannot be recorded.")]
            valid = False
        return valid


class RecordWithdrawalForm(Form):
    scope = RadioField(_l("What did the citizen withdraw?"),
                       choices=[("part", _l("Some points only")),
                                ("whole", _l("The whole case"))],
                       validators=[InputRequired()])
    # no Optional(): it would end the chain before validate_points when the field is empty
    points = TextAreaField(_l("The points withdrawn"), validators=[Length(max=TEXT_MAX)])
    reason = TextAreaField(_l("Reason given by the citizen"),
                           validators=[InputRequired(), Length(max=TEXT_MAX)])
    received_on = DateField(_l("Date the written withdrawal was received"),
                            validators=[InputRequired()])

    def __init__(self, *args, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def validate_received_on(self, field) -> None:
        check_received_on(field.data, self.today)

    def validate_points(self, field) -> None:
        if self.scope.data == "part" and not (field.data or "").strip():
            raise ValidationError(_l("List the points withdrawn."))
