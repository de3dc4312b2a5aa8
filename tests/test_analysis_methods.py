"""The index methods against figures worked out by hand, edge cases and properties (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.analysis.decree61 import decree61_index
from survey.analysis.grouping import period_key, roll_up_units
from survey.analysis.intervals import wilson
from survey.analysis.method_spec import MethodFileError, MethodSpec, parse_method
from survey.analysis.qd766 import CaseCounts, qd766_ratios
from survey.analysis.render import jsonable, to_csv, to_table
from survey.analysis.report import build_report
from survey.analysis.sample import required_sample
from survey.analysis.sipas import satisfaction_rate, sipas_index
from survey.analysis.tally import WHOLE, Tally
from survey.render.messages import plain
from survey.rules.org_tree import OrgTree
from survey.services.indices import available_methods, load_method

TINY = parse_method({"code": "tiny", "calculation": "sipas", "scale_max": 5,
                     "satisfied_threshold": 4, "minimum_sample": 30, "elements": [
                         {"code": "X", "criteria": ["x1", "x2"]},
                         {"code": "Y", "criteria": ["y1"]}]})


def tally(answers: dict, whole: int, **sets: int) -> Tally:
    return Tally(answers=answers, respondents={WHOLE: whole, **sets})


def texts(result: dict) -> list[str]:
    return [plain(w) for w in result["warnings"]]


def test_shipped_method_files_load_with_their_settings():
    assert available_methods() == ["decree61", "qd766", "satisfaction-rate", "sipas"]
    sipas = load_method("sipas")
    assert [e.code for e in sipas.elements] == list("ABCDE")
    assert sum(len(e.criteria) for e in sipas.elements) == 22
    assert (sipas.scale_max, sipas.satisfied_threshold, sipas.minimum_sample) == (5, 4, 30)
    assert load_method("decree61").criteria == tuple(f"c{i}" for i in range(1, 10))


def test_a_bad_method_file_lists_every_problem():
    with pytest.raises(MethodFileError) as error:
        parse_method({"code": "x y", "calculation": "median", "scale_max": 0,
                      "aggregation": "max"})
    where = {e.where for e in error.value.errors}
    assert {"code", "calculation", "scale_max", "aggregation"} <= where


SIPAS_BASE = {"code": "s", "calculation": "sipas", "scale_max": 5}


@pytest.mark.parametrize(("data", "where", "code"), [
    (["not", "a", "mapping"], "file", "method.not_mapping"),
    (SIPAS_BASE | {"satisfied_threshold": 6}, "satisfied_threshold",
     "method.threshold_above_max"),
    (SIPAS_BASE | {"minimum_sample": True}, "minimum_sample", "method.positive_int"),
    (SIPAS_BASE | {"elements": []}, "elements", "method.no_elements"),
    (SIPAS_BASE | {"elements": ["A"]}, "elements[0]", "method.element_not_mapping"),
    (SIPAS_BASE | {"elements": [{"code": "A", "criteria": []}]}, "elements[0].criteria",
     "method.element_without_criteria"),
    (SIPAS_BASE | {"elements": [{"code": "A", "criteria": [{"code": "a1", "weight": 0}]}]},
     "elements[0]", "method.weight"),
    (SIPAS_BASE | {"elements": [{"code": "A", "weight": "heavy", "criteria": ["a1"]}]},
     "elements[0]", "method.weight"),
    ({"code": "p", "calculation": "points", "scale_max": 10}, "criteria", "method.no_criteria"),
    ({"code": "p", "calculation": "points", "scale_max": 10, "criteria": ["ok", "not ok"]},
     "criteria[1]", "spec.code"),
    ({"code": "r", "calculation": "share", "scale_max": 5, "question": "q",
      "unsatisfied_values": [1, "two"]}, "unsatisfied_values", "method.whole_numbers"),
])
def test_each_problem_of_a_method_file_is_named_where_it_is(data, where, code):
    with pytest.raises(MethodFileError) as error:
        parse_method(data)
    found = {(e.where, e.message.code) for e in error.value.errors}
    assert (where, code) in found, found
    assert all(plain(e.message) for e in error.value.errors)  # every problem has words


def test_a_method_file_is_read_from_yaml_text_with_weights_and_question_codes():
    spec = MethodSpec.from_yaml("""
code: weighted
calculation: sipas
scale_max: 5
elements:
  - code: A
    weight: 2
    criteria: [{code: a1, weight: 0.5}, a2]
  - code: B
    criteria: [b1]
""")
    assert spec == MethodSpec.parse({"code": "weighted", "calculation": "sipas", "scale_max": 5,
                                     "elements": [{"code": "A", "weight": 2, "criteria": [
                                         {"code": "a1", "weight": 0.5}, "a2"]},
                                         {"code": "B", "criteria": ["b1"]}]})
    assert spec.elements[0].weight == 2.0 and spec.elements[0].criteria == (("a1", 0.5),
                                                                            ("a2", 1.0))
    assert spec.question_codes() == ["a1", "a2", "b1"]
    with pytest.raises(MethodFileError):
        MethodSpec.from_yaml("code: [unclosed")


def test_a_criterion_listed_twice_is_refused():
    with pytest.raises(MethodFileError):
        parse_method({"code": "d", "calculation": "sipas", "scale_max": 5,
                      "elements": [{"code": "A", "criteria": ["a1"]},
                                   {"code": "B", "criteria": ["a1"]}]})


def test_satisfaction_rate_by_hand():
    # overall: three 5s, one 4, one 3 and one "no opinion" -> 4 satisfied of 5 valid = 80%
    result = satisfaction_rate(load_method("satisfaction-rate"),
                               tally({"overall": {5: 3, 4: 1, 3: 1, None: 1}}, 6))
    low, high = wilson(4, 5)
    assert result["n"] == 5 and result["index"] == 80.0
    assert result["ci95"] == [round(low, 2), round(high, 2)]
    assert any("minimum sample" in w for w in texts(result))


def test_sipas_by_hand():
    # x1: 5,5,5,2 -> 3/4 = 75%; x2: 4,3 and two "no opinion" -> 1/2 = 50%; y1: 5,5 -> 100%
    # X = (75 + 50) / 2 = 62.5; Y = 100; index = (62.5 + 100) / 2 = 81.25
    data = {"x1": {5: 3, 2: 1}, "x2": {4: 1, 3: 1, None: 2}, "y1": {5: 2}}
    result = sipas_index(TINY, tally(data, 4, X=4, Y=2))
    x, y = result["elements"]
    assert [c["index"] for c in x["criteria"]] == [75.0, 50.0]
    assert [c["n"] for c in x["criteria"]] == [4, 2]
    assert (x["index"], y["index"], result["index"]) == (62.5, 100.0, 81.25)
    assert (result["n"], x["n"], y["n"]) == (4, 4, 2)
    low, high = result["ci95"]
    assert 0 <= low < 81.25 < high <= 100
    assert any("correlated" in w for w in texts(result))


def test_sipas_element_weights_change_the_mean():
    # X weighs 3, Y 1: (3 × 62.5 + 1 × 100) / 4 = 71.875 -> 71.88
    weighted = parse_method({"code": "w", "calculation": "sipas", "scale_max": 5, "elements": [
        {"code": "X", "weight": 3, "criteria": ["x1", "x2"]}, {"code": "Y", "criteria": ["y1"]}]})
    data = {"x1": {5: 3, 2: 1}, "x2": {4: 1, 3: 1}, "y1": {5: 2}}
    assert sipas_index(weighted, tally(data, 4))["index"] == 71.88


def test_a_criterion_nobody_answered_is_left_out_and_flagged():
    # x2 has no answer: X = x1 = 75%; Y = 100%; index = 87.5
    result = sipas_index(TINY, tally({"x1": {5: 3, 2: 1}, "y1": {5: 2}}, 4))
    assert result["elements"][0]["index"] == 75.0 and result["index"] == 87.5
    assert result["elements"][0]["criteria"][1]["index"] is None
    assert any("x2" in w for w in texts(result))


def test_no_answers_give_no_index_and_a_warning():
    result = sipas_index(TINY, Tally())
    assert result["index"] is None and result["ci95"] is None and result["n"] == 0
    assert any("cannot be computed" in w for w in texts(result))


def test_all_no_opinion_counts_respondents_but_gives_no_index():
    data = {"x1": {None: 3}, "x2": {None: 3}, "y1": {None: 3}}
    result = sipas_index(TINY, tally(data, 3))
    assert result["n"] == 3 and result["index"] is None and result["warnings"]


def test_one_respondent():
    # one respondent: x1=4, x2=5, y1=1 -> X 100, Y 0, index 50
    result = sipas_index(TINY, tally({"x1": {4: 1}, "x2": {5: 1}, "y1": {1: 1}}, 1))
    assert result["index"] == 50.0 and result["n"] == 1
    assert 0 <= result["ci95"][0] and result["ci95"][1] <= 100


def test_decree61_by_hand():
    # c1: 2 and 1 -> mean 1.5, s² = (0.5² + 0.5²)/1 = 0.5, var of mean = 0.25
    # c2: 0 and 0 -> mean 0, var 0; c3..c9 unanswered (left out, flagged)
    # total 1.5 ± 1.96 × 0.5 = [0.52, 2.48]
    result = decree61_index(load_method("decree61"), tally({"c1": {2: 1, 1: 1}, "c2": {0: 2}}, 2))
    assert result["index"] == 1.5 and result["max_points"] == 18
    assert result["ci95"] == [0.52, 2.48]
    assert result["elements"][0]["distribution"] == {"0": 0, "1": 1, "2": 1}
    assert result["elements"][1]["index"] == 0.0
    assert any("c9" in w for w in texts(result))


def test_decree61_full_marks():
    answers = {f"c{i}": {2: 40} for i in range(1, 10)}
    result = decree61_index(load_method("decree61"), tally(answers, 40))
    assert result["index"] == 18.0 and result["ci95"] == [18.0, 18.0] and not result["warnings"]


def test_qd766_by_hand():
    # on time 8 of 10 = 80%; feedback (5 - 1) / 5 = 80%;
    # procedures: 10 overall answers, two of them 1 or 2 -> (10 - 2) / 10 = 80%
    cases = CaseCounts(due_in_period=10, on_time=8, resolved=5, resolved_bad=1)
    overall = {"overall": {5: 6, 3: 2, 2: 1, 1: 1, None: 4}}
    result = qd766_ratios(load_method("qd766"), cases, tally(overall, 14))
    assert [(e["code"], e["n"], e["index"]) for e in result["elements"]] == [
        ("on_time", 10, 80.0), ("feedback_satisfaction", 5, 80.0),
        ("procedure_satisfaction", 10, 80.0)]
    low, high = wilson(8, 10)
    assert result["elements"][0]["ci95"] == [round(low, 2), round(high, 2)]
    assert len(result["warnings"]) == 3  # every n is below 30


def test_required_sample():
    # 1000 / (1 + 1000 × 0.05²) = 1000 / 3.5 = 285.7 -> 286
    assert required_sample(1000) == 286
    assert required_sample(0) == 0
    assert required_sample(100, 0.1) == 50  # 100 / (1 + 1) = 50
    with pytest.raises(ValueError):
        required_sample(10, 0)


def test_period_keys_and_unit_roll_up():
    assert [period_key("2027-05", by) for by in ("month", "quarter", "year")] == [
        "2027-05", "2027-Q2", "2027"]
    tree = OrgTree({1: None, 2: 1, 3: 2, 4: 1})
    rolled = roll_up_units({1: tally({}, 1), 3: tally({}, 2), 4: tally({}, 5)}, None, tree)
    assert {k: v.respondents[WHOLE] for k, v in rolled.items()} == {1: 1, 2: 2, 4: 5}


def test_officer_groups_below_the_minimum_are_not_shown():
    spec = load_method("satisfaction-rate")
    big, small = tally({"overall": {5: 30}}, 30), tally({"overall": {5: 3}}, 3)
    report = build_report(spec, {"from": None, "to": None, "scope": {"unit": None}},
                          [({"officer": "a"}, big), ({"officer": "b"}, small)], "officer")
    assert [g["key"] for g in report["groups"]] == [{"officer": "a"}]
    assert report["n"] == 33 and any("not shown" in w for w in jsonable(report, plain)["warnings"])
    assert to_csv(report).splitlines()[1].startswith("satisfaction-rate,,,,a,30,100.0")
    assert "officer=a" in to_table(report)


answer_counts = st.dictionaries(st.sampled_from([1, 2, 3, 4, 5, None]),
                                st.integers(0, 50), max_size=6)


@given(st.fixed_dictionaries({"x1": answer_counts, "x2": answer_counts, "y1": answer_counts}))
def test_an_index_stays_within_0_and_100(data):
    result = sipas_index(TINY, tally(data, 50))
    for item in [result, *result["elements"]]:
        if item["index"] is not None:
            assert 0 <= item["ci95"][0] <= item["index"] <= item["ci95"][1] <= 100


@given(st.fixed_dictionaries({"x1": answer_counts, "x2": answer_counts, "y1": answer_counts}),
       st.sampled_from(["x1", "x2", "y1"]), st.sampled_from([4, 5]))
def test_adding_a_satisfied_answer_never_lowers_a_share(data, code, value):
    before = sipas_index(TINY, tally(data, 50))
    more = {k: dict(v) for k, v in data.items()}
    more[code][value] = more[code].get(value, 0) + 1
    after = sipas_index(TINY, tally(more, 51))
    assert (after["index"] or 0) >= (before["index"] or 0) - 1e-9
    shares = lambda r: [c["index"] or 0 for e in r["elements"] for c in e["criteria"]]  # noqa: E731
    assert all(a >= b for a, b in zip(shares(after), shares(before), strict=True))
