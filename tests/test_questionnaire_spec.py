"""The questionnaire file format and the built-in questionnaires (no app, no database)."""

import copy
import dataclasses

import pytest
import yaml

from survey.rules import questionnaire_spec as spec
from survey.services.questionnaires import BUILTIN_DIR

SIPAS_CRITERIA = {
    "A": ["A1", "A2", "A3", "A4"],
    "B": ["B1", "B2", "B3", "B4", "B5"],
    "C": ["C1", "C2", "C3", "C4", "C5", "C6"],
    "D": ["D1", "D2", "D3"],
    "E": ["E1", "E2", "E3", "E4"],
}


def builtin(code: str) -> spec.Definition:
    return spec.parse((BUILTIN_DIR / f"{code}.yaml").read_text(encoding="utf-8"))


def raw(code: str) -> dict:
    return yaml.safe_load((BUILTIN_DIR / f"{code}.yaml").read_text(encoding="utf-8"))


def test_sipas_has_22_criteria_in_five_elements_plus_overall():
    definition = builtin("sipas")
    by_element: dict[str, list[str]] = {}
    for question in definition.questions:
        if question.element:
            by_element.setdefault(question.element, []).append(question.code)
    assert by_element == SIPAS_CRITERIA
    assert sum(len(codes) for codes in by_element.values()) == 22
    overall = definition.question("overall")
    assert overall.required and not overall.no_opinion and overall.element is None


def test_sipas_criteria_allow_no_opinion_on_the_five_point_scale():
    definition = builtin("sipas")
    labels = [p.label["vi"] for p in definition.scales["satisfaction"]]
    assert labels == ["Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng",
                      "Rất hài lòng"]
    assert all(q.no_opinion for q in definition.questions if q.element)


def test_quick_form_asks_overall_on_faces_with_words_and_optional_attitude():
    definition = builtin("quick")
    codes = [q.code for q in definition.questions]
    assert codes == ["overall", "attitude"]
    faces = definition.scales["faces"]
    assert [p.value for p in faces] == [1, 2, 3, 4, 5]
    assert all(p.face and p.label["vi"] and p.label["en"] for p in faces)
    assert definition.question("overall").required
    assert not definition.question("attitude").required
    assert definition.comment is True


def test_decree61_has_nine_criteria_scored_zero_to_two():
    definition = builtin("decree61")
    assert [q.code for q in definition.questions] == [f"c{i}" for i in range(1, 10)]
    for question in definition.questions:
        assert sorted(definition.scale_values(question)) == [0, 1, 2]


def test_every_text_has_vietnamese_and_english():
    broken = copy.deepcopy(raw("quick"))
    del broken["questions"][0]["text"]["en"]
    with pytest.raises(spec.QuestionnaireError) as caught:
        spec.validate(broken)
    assert [e.where for e in caught.value.errors] == ["questions[0].text"]


def test_unknown_scale_and_duplicate_codes_are_reported_together():
    broken = copy.deepcopy(raw("quick"))
    broken["questions"][1]["code"] = "overall"
    broken["questions"][0]["scale"] = "stars"
    with pytest.raises(spec.QuestionnaireError) as caught:
        spec.validate(broken)
    assert {e.where for e in caught.value.errors} == {"questions[0].scale", "questions[1].code"}


def test_question_in_unknown_element_is_refused():
    broken = copy.deepcopy(raw("sipas"))
    broken["questions"][0]["element"] = "Z"
    with pytest.raises(spec.QuestionnaireError) as caught:
        spec.validate(broken)
    assert caught.value.errors[0].where == "questions[0].element"


def test_scale_with_repeated_values_is_refused():
    broken = copy.deepcopy(raw("quick"))
    broken["scales"]["faces"][1]["value"] = 1
    with pytest.raises(spec.QuestionnaireError):
        spec.validate(broken)


def _broken(change):
    data = copy.deepcopy(raw("quick"))
    change(data)
    return data


@pytest.mark.parametrize(("change", "where", "code"), [
    (lambda d: d.update(scales={}), "scales", "questionnaire.no_scale"),
    (lambda d: d["scales"].update(faces=[{"value": 1}]), "scales.faces",
     "questionnaire.scale_too_short"),
    (lambda d: d["scales"]["faces"][0].update(value="one"), "scales.faces",
     "questionnaire.point_not_integer"),
    (lambda d: d["scales"]["faces"][0].update(value=True), "scales.faces",
     "questionnaire.point_not_integer"),
    (lambda d: d.update(questions=[]), "questions", "questionnaire.no_question"),
    (lambda d: d["questions"].append("overall"), "questions[2]",
     "questionnaire.question_not_mapping"),
    (lambda d: d["questions"][0].update(text={"vi": "Chỉ tiếng Việt"}), "questions[0].text",
     "spec.bilingual"),
])
def test_each_problem_of_a_questionnaire_is_named_where_it_is(change, where, code):
    with pytest.raises(spec.QuestionnaireError) as caught:
        spec.validate(_broken(change))
    found = {(e.where, e.message.code) for e in caught.value.errors}
    assert (where, code) in found, found


def test_a_questionnaire_that_is_not_a_mapping_is_refused():
    with pytest.raises(spec.QuestionnaireError) as caught:
        spec.validate(["questions"])
    assert [(e.where, e.message.code) for e in caught.value.errors] == [
        ("file", "questionnaire.not_mapping")]


def test_invalid_yaml_names_the_line():
    with pytest.raises(spec.QuestionnaireError) as caught:
        spec.parse("code: quick\ntitle: [unclosed\n")
    assert caught.value.errors[0].where.startswith("line ")


def test_checksum_ignores_key_order_but_not_content():
    definition = builtin("quick")
    stored = definition.to_json()
    reordered = dict(reversed(list(stored.items())))
    assert spec.checksum(reordered) == spec.checksum(definition) == definition.checksum
    first = definition.questions[0]
    changed = dataclasses.replace(definition, questions=(
        dataclasses.replace(first, text=spec.Bilingual(first.text.vi + "?", first.text.en)),
        *definition.questions[1:]))
    assert spec.checksum(changed) != spec.checksum(definition)


def test_a_stored_definition_reads_back_as_the_same_definition():
    for code in ("quick", "sipas", "decree61"):
        definition = builtin(code)
        assert spec.Definition.from_json(definition.to_json()) == definition


def test_the_stored_form_keeps_the_format_of_the_rows_already_stored():
    stored = builtin("quick").to_json()
    assert set(stored) == {"code", "title", "intro", "scales", "elements", "questions", "comment"}
    assert stored["questions"][0] == {
        "code": "overall", "text": stored["questions"][0]["text"], "scale": "faces",
        "element": None, "required": True, "no_opinion": False}
    assert set(stored["scales"]["faces"][0]) == {"value", "label", "face"}
