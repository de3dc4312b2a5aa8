"""The survey form, built from a questionnaire version's definition."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from survey.answers import COMMENT_MAX_LENGTH, NO_OPINION
from survey.forms.base import Form


class SurveyFormBase(Form):
    idempotency_key = HiddenField()
    token = HiddenField()
    comment = TextAreaField(_l("Anything else you want to tell us? (optional)"),
                            validators=[Optional(), Length(max=COMMENT_MAX_LENGTH)])
    procedure = SelectField(_l("Which procedure did you do? (optional)"), choices=[],
                            validate_choice=True, validators=[Optional()])


def _choices(definition: dict, question: dict, lang: str) -> list[tuple[str, str]]:
    choices = [(str(p["value"]), p["label"][lang]) for p in definition["scales"][question["scale"]]]
    if question["no_opinion"]:
        choices.append((NO_OPINION, str(_l("No opinion"))))
    return choices


def build_survey_form(definition: dict, lang: str, procedures: list[tuple[str, str]],
                      formdata=None) -> SurveyFormBase:
    """A form class with one radio group per question, in the questionnaire's order."""

    class SurveyForm(SurveyFormBase):
        pass

    for question in definition["questions"]:
        validators = [InputRequired(message=_l("Please choose an answer."))] if question["required"] \
            else [Optional()]
        setattr(SurveyForm, f"q_{question['code']}", RadioField(
            question["text"][lang], choices=_choices(definition, question, lang),
            validators=validators,
        ))
    form = SurveyForm(formdata=formdata) if formdata is not None else SurveyForm()
    form.procedure.choices = [("", str(_l("— Not specified —")))] + procedures
    return form


def question_fields(form: SurveyFormBase, definition: dict) -> list[tuple[dict, object]]:
    return [(q, form[f"q_{q['code']}"]) for q in definition["questions"]]


def raw_answers(form: SurveyFormBase, definition: dict) -> dict[str, str | None]:
    return {q["code"]: form[f"q_{q['code']}"].data for q in definition["questions"]}
