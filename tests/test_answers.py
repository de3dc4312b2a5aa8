"""Answers checked against a definition: shared by the web form and the paper import."""

from survey.rules.answers import parse_answers
from survey.rules.questionnaire_spec import parse
from survey.services.questionnaires import BUILTIN_DIR

SIPAS = parse((BUILTIN_DIR / "sipas.yaml").read_text(encoding="utf-8"))
QUICK = parse((BUILTIN_DIR / "quick.yaml").read_text(encoding="utf-8"))


def test_unanswered_questions_are_left_out_and_no_opinion_is_none():
    answers, errors = parse_answers(SIPAS, {"overall": "4", "A1": "na", "A2": "", "B1": "5"})
    assert errors == []
    assert answers == {"overall": 4, "A1": None, "B1": 5}


def test_missing_required_answer_is_an_error_on_that_question():
    answers, errors = parse_answers(QUICK, {"attitude": "3"})
    assert [e.question for e in errors] == ["overall"]
    assert answers == {"attitude": 3}


def test_value_outside_the_scale_is_refused():
    _, errors = parse_answers(QUICK, {"overall": "6"})
    assert [e.question for e in errors] == ["overall"]
    _, errors = parse_answers(QUICK, {"overall": "4.5"})
    assert [e.question for e in errors] == ["overall"]


def test_no_opinion_is_refused_where_the_question_does_not_allow_it():
    _, errors = parse_answers(QUICK, {"overall": "na"})
    assert [e.question for e in errors] == ["overall"]


def test_spreadsheet_whole_numbers_are_accepted():
    answers, errors = parse_answers(QUICK, {"overall": "5.0", "attitude": " 4 "})
    assert errors == [] and answers == {"overall": 5, "attitude": 4}
