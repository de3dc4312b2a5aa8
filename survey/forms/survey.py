"""The survey form, built from a questionnaire version's definition."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from survey.forms.base import Form
from survey.rules.answers import COMMENT_MAX_LENGTH, NO_OPINION
from survey.rules.questionnaire_spec import Definition, Question


class SurveyFormBase(Form):
    class Meta:
        # survey.survey_csrf checks every POST before the view runs; checking twice costs time
        # on the busiest request. The template renders its token.
        csrf = False

    idempotency_key = HiddenField()
    token = HiddenField()
    comment = TextAreaField(_l("Anything else you want to tell us? (optional)"),
                            validators=[Optional(), Length(max=COMMENT_MAX_LENGTH)])
    # Checked against the unit's procedures by one query in the view, not a list per request.
    procedure = SelectField(_l("Which procedure did you do? (optional)"), choices=[],
                            validate_choice=False, validators=[Optional()])


def _choices(definition: Definition, question: Question, lang: str) -> list[tuple[str, str]]:
    choices = [(str(p.value), p.label[lang]) for p in definition.scales[question.scale]]
    if question.no_opinion:
        choices.append((NO_OPINION, str(_l("No opinion"))))
    return choices


def _make_form_class(definition: Definition, lang: str) -> type[SurveyFormBase]:
    class SurveyForm(SurveyFormBase):
        pass

    for question in definition.questions:
        validators = ([InputRequired(message=_l("Please choose an answer."))]
                      if question.required else [Optional()])
        setattr(SurveyForm, f"q_{question.code}", RadioField(
            question.text[lang], choices=_choices(definition, question, lang),
            validators=validators, validate_choice=False,  # parse_answers checks the scale
        ))
    return SurveyForm


# A definition never changes under its checksum, so its form class can be kept per language.
_form_classes: dict[tuple[str, str], type[SurveyFormBase]] = {}


def build_survey_form(version, lang: str, formdata=None) -> SurveyFormBase:
    """A form with one radio group per question, in the questionnaire's order.

    The class is built once per version and language: building it is the costly part.
    """
    key = (version.checksum, lang)
    form_class = _form_classes.get(key)
    if form_class is None:
        if len(_form_classes) > 64:
            _form_classes.clear()
        form_class = _form_classes[key] = _make_form_class(version.definition, lang)
    form = form_class(formdata=formdata)
    form.procedure.choices = [("", str(_l("— Not specified —")))]
    return form


def question_fields(form: SurveyFormBase, definition: Definition) -> list[tuple[Question, Any]]:
    return [(q, form[f"q_{q.code}"]) for q in definition.questions]


def raw_answers(form: SurveyFormBase, definition: Definition) -> dict[str, str | None]:
    return {q.code: form[f"q_{q.code}"].data for q in definition.questions}


def problems(form: SurveyFormBase, definition: Definition) -> list[tuple[str, str, str]]:
    """``(element id, label, first error)`` of each field in error, in the page's order."""
    found = [(f"fs-{field.id}", f"{q.code}. {field.label.text}" if q.element
              else field.label.text, field.errors[0])
             for q, field in question_fields(form, definition) if field.errors]
    return found + [(field.id, str(field.label.text), field.errors[0])
                    for field in (form.procedure, form.comment) if field.errors]
