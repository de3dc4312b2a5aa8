"""Message codes from the pure modules are put in words with the texts they always had."""

import ast
from pathlib import Path

import pytest

from survey.analysis.method_spec import MethodFileError, parse_method
from survey.render.messages import MSGIDS, plain, text
from survey.rules import questionnaire_spec
from survey.rules.answers import parse_answers
from survey.rules.deadlines import RulebookError, parse_rulebook
from survey.rules.messages import Message
from survey.services.questionnaires import BUILTIN_DIR

SURVEY = Path(__file__).resolve().parent.parent / "survey"


def codes_in_source() -> set[str]:
    """Every literal code passed to ``Message(...)`` or ``Message.of(...)`` in the package."""
    found = set()
    for path in SURVEY.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            named = (isinstance(func, ast.Name) and func.id == "Message") or (
                isinstance(func, ast.Attribute) and func.attr == "of"
                and isinstance(func.value, ast.Name) and func.value.id == "Message")
            first = node.args[0]
            if named and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value)
    return found


def test_every_code_the_package_uses_has_a_text():
    used = codes_in_source()
    assert used, "the scan found no message codes: the check would pass silently"
    assert sorted(used - set(MSGIDS)) == []


def test_a_questionnaire_error_reads_as_before():
    with pytest.raises(questionnaire_spec.QuestionnaireError) as caught:
        questionnaire_spec.parse("code: quick\ntitle: [unclosed\n")
    assert plain(caught.value.errors[0].message) == "not valid YAML"


def test_parameters_fill_the_text():
    broken = {"code": "q", "title": {"vi": "T", "en": "T"},
              "scales": {"s": [{"value": 1, "label": {"vi": "a", "en": "a"}},
                               {"value": 2, "label": {"vi": "b", "en": "b"}}]},
              "questions": [{"code": "a", "text": {"vi": "x", "en": "x"}, "scale": "stars"}]}
    with pytest.raises(questionnaire_spec.QuestionnaireError) as caught:
        questionnaire_spec.validate(broken)
    assert [plain(e.message) for e in caught.value.errors] == ["unknown scale stars"]


def test_method_and_rulebook_errors_read_as_before():
    with pytest.raises(MethodFileError) as caught:
        parse_method({"code": "d", "calculation": "sipas", "scale_max": 5,
                      "elements": [{"code": "A", "criteria": ["a1"]},
                                   {"code": "B", "criteria": ["a1"]}]})
    assert "criterion a1 appears twice" in [plain(e.message) for e in caught.value.errors]
    with pytest.raises(RulebookError) as caught:
        parse_rulebook("version: 2\nkinds: {feedback: []}\n")
    assert {plain(e.message) for e in caught.value.errors} == {
        "only version 1 is understood", "a kind needs at least one milestone"}


def test_answer_errors_read_as_before():
    quick = questionnaire_spec.parse((BUILTIN_DIR / "quick.yaml").read_text(encoding="utf-8"))
    _, errors = parse_answers(quick, {"overall": "9"})
    assert plain(errors[0].message) == "The answer must be one of 1, 2, 3, 4, 5."


def test_texts_are_translated_in_the_readers_language(app):
    with app.test_request_context("/?lang=vi"):
        from flask_babel import force_locale

        with force_locale("vi"):
            shown = plain(Message("answer.required"))
    assert shown != "Please choose an answer." and shown.strip()


def test_a_text_that_is_not_a_message_passes_through():
    assert text("already words") == "already words"
    assert str(Message.of("report.groups_hidden", count=2, by="officer", minimum=30)) == \
        "report.groups_hidden(count=2, by=officer, minimum=30)"
