"""Routing: the chain that never gives up, and conflict-of-interest exclusions (pure).

No app, no database: reasons are codes with ids, rendered elsewhere (survey/routing_text.py).
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.rules.org_tree import OrgTree
from survey.rules.routing import (
    CaseFacts,
    Rule,
    Staff,
    holders_for,
    is_excluded,
    matching_rules,
    may_hold,
    route,
)

# 1 province -> 2 department -> 3 office; 4 is another department of the province
ORG = OrgTree({1: None, 2: 1, 3: 2, 4: 1})
PROVINCE, DEPARTMENT, OFFICE, OTHER = 1, 2, 3, 4

# the accused (100) works in the office, led by 101; the department is led by 201
STAFF = [
    Staff(100, OFFICE, open_cases=0),
    Staff(101, OFFICE, is_leader=True, open_cases=7),
    Staff(102, OFFICE, open_cases=1),
    Staff(103, OFFICE, open_cases=3),
    Staff(201, DEPARTMENT, is_leader=True, open_cases=4),
    Staff(202, DEPARTMENT, open_cases=0),
    Staff(301, PROVINCE, is_leader=True, open_cases=9),
]
TO_OFFICE = [Rule(1, handling_unit_id=OFFICE)]  # a catch-all rule sending everything to the office


def denunciation(accused: int | None) -> CaseFacts:
    return CaseFacts("denunciation", unit_id=OFFICE, accused_user_id=accused)


# --- which rule ---

def test_kind_and_unit_rule_beats_unit_only_rule():
    rules = [Rule(1, 20, unit_id=DEPARTMENT), Rule(2, 30, kind="complaint", unit_id=DEPARTMENT)]
    decision = route(CaseFacts("complaint", unit_id=DEPARTMENT), rules, ORG, [])
    assert (decision.rule_id, decision.handling_unit_id) == (2, 30)
    assert decision.codes()[:2] == ["rule_matched", "rule_outranked"]
    assert decision.reasons[0].params == {"rule": 2, "criteria": ("kind", "unit_id"), "unit": 30}


def test_rule_for_the_case_unit_beats_rule_for_an_ancestor():
    rules = [Rule(1, 10, unit_id=PROVINCE), Rule(5, 30, unit_id=OFFICE), Rule(3, 20, unit_id=2)]
    assert route(CaseFacts("feedback", unit_id=OFFICE), rules, ORG, []).rule_id == 5


def test_closer_ancestor_beats_farther_ancestor():
    rules = [Rule(1, 10, unit_id=PROVINCE), Rule(3, 20, unit_id=DEPARTMENT)]
    assert route(CaseFacts("feedback", unit_id=OFFICE), rules, ORG, []).rule_id == 3


def test_unit_rule_matches_descendant_units_only():
    rules = [Rule(1, 20, unit_id=DEPARTMENT)]
    assert route(CaseFacts("feedback", unit_id=OFFICE), rules, ORG, []).rule_id == 1
    assert route(CaseFacts("feedback", unit_id=OTHER), rules, ORG, []).rule_id is None
    assert route(CaseFacts("feedback", unit_id=PROVINCE), rules, ORG, []).rule_id is None
    assert route(CaseFacts("feedback", unit_id=None), rules, ORG, []).rule_id is None


def test_more_criteria_beat_a_closer_unit():
    rules = [Rule(1, 30, unit_id=OFFICE), Rule(2, 10, kind="feedback", unit_id=PROVINCE)]
    assert route(CaseFacts("feedback", unit_id=OFFICE), rules, ORG, []).rule_id == 2


def test_at_equal_criteria_a_unit_match_beats_a_rule_without_unit():
    rules = [Rule(1, 40, topic="roads"), Rule(2, 10, unit_id=PROVINCE)]
    facts = CaseFacts("feedback", unit_id=OFFICE, topic="roads")
    assert [r.id for r in matching_rules(facts, rules, ORG)] == [2, 1]


def test_ties_go_to_the_lowest_rule_id():
    rules = [Rule(9, 40, procedure_field="land"), Rule(4, 30, procedure_field="land")]
    facts = CaseFacts("feedback", unit_id=OFFICE, procedure_field="land")
    assert route(facts, rules, ORG, []).rule_id == 4


def test_rule_with_an_unmet_criterion_does_not_match():
    rules = [Rule(1, 30, kind="complaint", unit_id=OFFICE), Rule(2, 40, topic="roads")]
    assert route(CaseFacts("feedback", unit_id=OFFICE, topic="water"), rules, ORG, []).rule_id \
        is None


def test_no_matching_rule_sends_the_case_to_the_office_it_concerns():
    decision = route(CaseFacts("feedback", unit_id=OFFICE), [], ORG, STAFF)
    assert (decision.handling_unit_id, decision.assignee_id, decision.rule_id) == (OFFICE, 100,
                                                                                  None)
    assert decision.codes()[0] == "no_rule_case_unit"


def test_no_rule_and_no_office_goes_to_the_intake_office():
    decision = route(CaseFacts("feedback"), [], ORG, STAFF, intake_unit_id=DEPARTMENT)
    assert (decision.handling_unit_id, decision.assignee_id) == (DEPARTMENT, 202)
    assert decision.codes()[0] == "no_rule_intake"


def test_catch_all_rule_says_it_applies_to_every_case():
    assert route(CaseFacts("feedback"), TO_OFFICE, ORG, []).codes()[0] == "rule_matched_any"


def test_field_and_topic_match_without_capitals_or_vietnamese_marks():
    rules = [Rule(1, DEPARTMENT, procedure_field="Đất đai", topic="Cấp sổ  đỏ")]
    for field, topic in (("đất đai", "cấp sổ đỏ"), ("DAT DAI", "cap so do"),
                         ("Dat  Dai", "CẤP SỔ ĐỎ")):
        facts = CaseFacts("feedback", unit_id=OFFICE, procedure_field=field, topic=topic)
        assert route(facts, rules, ORG, STAFF).rule_id == 1, (field, topic)
    other = CaseFacts("feedback", unit_id=OFFICE, procedure_field="Đất", topic="cấp sổ đỏ")
    assert route(other, rules, ORG, STAFF).rule_id is None


# --- which officer ---

def test_assigns_the_active_officer_with_the_fewest_open_cases():
    decision = route(CaseFacts("feedback", unit_id=OFFICE), TO_OFFICE, ORG, STAFF)
    assert (decision.handling_unit_id, decision.assignee_id) == (OFFICE, 100)
    assert decision.codes()[-1] == "assigned"
    assert decision.reasons[-1].params == {"user": 100, "unit": OFFICE, "open": 0}


def test_ties_in_open_cases_go_to_the_lowest_id():
    staff = [Staff(7, OFFICE, open_cases=2), Staff(5, OFFICE, open_cases=2)]
    assert route(CaseFacts("feedback"), TO_OFFICE, ORG, staff).assignee_id == 5


def test_inactive_officers_are_skipped():
    staff = [Staff(5, OFFICE, active=False, open_cases=0), Staff(7, OFFICE, open_cases=2)]
    decision = route(CaseFacts("feedback"), TO_OFFICE, ORG, staff)
    assert decision.assignee_id == 7
    assert "inactive" in decision.codes()


def test_a_unit_without_officers_hands_the_case_to_its_leader():
    staff = [Staff(5, OFFICE, is_leader=True, open_cases=3), Staff(6, DEPARTMENT, open_cases=0)]
    decision = route(CaseFacts("feedback"), TO_OFFICE, ORG, staff)
    assert (decision.handling_unit_id, decision.assignee_id) == (OFFICE, 5)
    assert decision.codes() == ["rule_matched_any", "no_officer", "assigned_leader"]


def test_a_unit_without_staff_goes_up_to_the_leaders_above():
    staff = [Staff(6, DEPARTMENT, open_cases=0), Staff(9, PROVINCE, is_leader=True)]
    decision = route(CaseFacts("feedback"), TO_OFFICE, ORG, staff)
    assert (decision.handling_unit_id, decision.assignee_id) == (PROVINCE, 9)
    assert decision.codes() == ["rule_matched_any", "no_officer", "no_leader", "no_leader",
                                "assigned_leader"]


def test_with_nobody_above_the_intake_office_takes_it():
    staff = [Staff(6, OTHER, open_cases=4), Staff(7, OTHER, is_leader=True)]
    decision = route(CaseFacts("feedback"), TO_OFFICE, ORG, staff, intake_unit_id=OTHER)
    assert (decision.handling_unit_id, decision.assignee_id) == (OTHER, 6)
    assert "to_intake" in decision.codes()


def test_the_last_resort_is_any_leader_nearest_the_root():
    staff = [Staff(6, OTHER, open_cases=0), Staff(8, OTHER, is_leader=True, open_cases=9)]
    decision = route(CaseFacts("feedback"), TO_OFFICE, ORG, staff)
    assert (decision.handling_unit_id, decision.assignee_id) == (OTHER, 8)
    assert decision.codes()[-2:] == ["no_intake_office", "last_resort"]


def test_nobody_at_all_leaves_the_case_waiting_in_its_unit():
    decision = route(CaseFacts("feedback"), TO_OFFICE, ORG, [Staff(5, OFFICE, active=False)])
    assert (decision.handling_unit_id, decision.assignee_id) == (OFFICE, None)
    assert decision.codes()[-1] == "no_eligible_handler"


def test_rerouting_starts_at_the_handling_unit_not_at_the_rules():
    rules = [Rule(1, DEPARTMENT)]
    decision = route(CaseFacts("feedback", unit_id=OFFICE), rules, ORG, STAFF,
                     start_unit_id=OFFICE)
    assert (decision.handling_unit_id, decision.rule_id, decision.assignee_id) == (OFFICE, None,
                                                                                  100)
    assert decision.codes()[0] == "kept_handling_unit"


def test_a_complaint_naming_an_officer_follows_the_rules_without_that_officer():
    facts = CaseFacts("complaint", unit_id=OFFICE, accused_user_id=100)
    decision = route(facts, TO_OFFICE, ORG, STAFF)
    assert (decision.rule_id, decision.assignee_id) == (1, 102)
    assert "excluded_accused" in decision.codes()


# --- denunciations naming an officer ---

def test_denunciation_never_routed_to_the_accused_officer():
    decision = route(denunciation(100), TO_OFFICE, ORG, STAFF)
    assert decision.assignee_id != 100


def test_denunciation_goes_to_the_leader_of_the_accused_unit():
    decision = route(denunciation(100), TO_OFFICE, ORG, STAFF)
    assert (decision.handling_unit_id, decision.assignee_id, decision.rule_id) == (OFFICE, 101,
                                                                                  None)
    assert decision.codes() == ["accused_is_officer", "assigned_leader"]


def test_denunciation_naming_a_leader_goes_to_the_parent_unit_leader():
    decision = route(denunciation(101), TO_OFFICE, ORG, STAFF)
    assert (decision.handling_unit_id, decision.assignee_id) == (DEPARTMENT, 201)
    assert decision.codes() == ["accused_is_leader", "assigned_leader"]


def test_denunciation_about_a_head_never_goes_back_into_their_office():
    # the department has no eligible leader; the intake office is the accused's own office
    conflicts = [frozenset({101, 201}), frozenset({101, 301})]
    decision = route(denunciation(101), TO_OFFICE, ORG, STAFF, conflicts, intake_unit_id=OFFICE)
    assert decision.assignee_id not in (100, 101, 102, 103)
    assert decision.assignee_id == 202  # the last resort: an officer outside the office
    assert "intake_is_accused_unit" in decision.codes()
    assert "last_resort" in decision.codes()


def test_denunciation_about_the_top_leader_goes_to_the_intake_office():
    staff = [*STAFF, Staff(401, OTHER), Staff(302, PROVINCE)]
    decision = route(CaseFacts("denunciation", unit_id=PROVINCE, accused_user_id=301), [], ORG,
                     staff, intake_unit_id=OTHER)
    assert (decision.handling_unit_id, decision.assignee_id) == (OTHER, 401)
    assert 302 not in (decision.assignee_id,)  # a deputy in the accused's own office never


def test_leader_in_conflict_with_the_accused_passes_the_case_up():
    decision = route(denunciation(100), TO_OFFICE, ORG, STAFF, [frozenset({100, 101})])
    assert (decision.handling_unit_id, decision.assignee_id) == (DEPARTMENT, 201)
    assert decision.codes() == ["accused_is_officer", "excluded_conflict", "no_leader",
                                "assigned_leader"]


def test_another_leader_of_the_unit_takes_it_when_one_is_in_conflict():
    staff = [*STAFF, Staff(104, OFFICE, is_leader=True, open_cases=20)]
    decision = route(denunciation(100), TO_OFFICE, ORG, staff, [frozenset({101, 100})])
    assert (decision.handling_unit_id, decision.assignee_id) == (OFFICE, 104)


def test_inactive_leader_passes_the_case_up():
    staff = [s if s.id != 101 else Staff(101, OFFICE, is_leader=True, active=False) for s in STAFF]
    assert route(denunciation(100), TO_OFFICE, ORG, staff).assignee_id == 201


def test_conflicts_walk_up_to_the_province():
    conflicts = [frozenset({201, 101})]
    decision = route(denunciation(101), TO_OFFICE, ORG, STAFF, conflicts)
    assert (decision.handling_unit_id, decision.assignee_id) == (PROVINCE, 301)


def test_denunciation_naming_someone_off_the_staff_list_follows_the_rules():
    decision = route(denunciation(999), TO_OFFICE, ORG, STAFF)
    assert (decision.rule_id, decision.assignee_id) == (1, 100)
    assert decision.codes()[0] == "accused_unknown"


def test_denunciation_without_an_accused_follows_the_rules():
    decision = route(denunciation(None), TO_OFFICE, ORG, STAFF)
    assert (decision.rule_id, decision.assignee_id) == (1, 100)


# --- the shared exclusion rule, for manual reassignment too ---

def test_is_excluded_covers_the_accused_and_declared_conflicts_both_ways():
    conflicts = {frozenset({100, 101})}
    assert is_excluded(100, 100, conflicts)
    assert is_excluded(101, 100, conflicts)
    assert is_excluded(100, 101, conflicts)
    assert not is_excluded(102, 100, conflicts)
    assert not is_excluded(100, None, conflicts)


def test_conflicts_are_not_transitive():
    conflicts = {frozenset({100, 101}), frozenset({101, 102})}
    assert not is_excluded(102, 100, conflicts)


def test_may_hold_refuses_the_accused_conflicts_the_inactive_and_a_heads_own_office():
    conflicts = [frozenset({100, 103})]
    about_officer = denunciation(100)
    assert [m.id for m in STAFF if may_hold(m.id, about_officer, STAFF, conflicts)] == \
        [101, 102, 201, 202, 301]
    about_head = denunciation(101)
    assert [m.id for m in STAFF if may_hold(m.id, about_head, STAFF)] == [201, 202, 301]
    staff = [*STAFF, Staff(7, OTHER, active=False)]
    assert not may_hold(7, CaseFacts("feedback"), staff)


def test_eligible_people_of_a_unit_are_ordered_by_open_cases_then_id():
    staff = [*STAFF, Staff(105, OFFICE, open_cases=1)]
    holders = holders_for(denunciation(100), staff, [frozenset({100, 103})])
    assert [s.id for s in holders.in_unit(OFFICE, leaders=False)] == [102, 105]
    assert [s.id for s in holders.in_unit(OFFICE, leaders=True)] == [101]


def test_unit_tree_with_a_cycle_is_refused():
    with pytest.raises(ValueError):
        OrgTree({1: 2, 2: 1}).ancestors(1)


staff_members = st.lists(
    st.builds(Staff, id=st.integers(1, 30), unit_id=st.sampled_from([1, 2, 3, 4]),
              is_leader=st.booleans(), active=st.booleans(), open_cases=st.integers(0, 5)),
    max_size=15, unique_by=lambda s: s.id)
pairs = st.sets(st.frozensets(st.integers(1, 30), min_size=2, max_size=2), max_size=20)


@given(staff=staff_members, conflicts=pairs, accused=st.integers(1, 30) | st.none(),
       kind=st.sampled_from(["denunciation", "complaint", "feedback"]),
       unit=st.sampled_from([1, 2, 3, 4]) | st.none(), intake=st.sampled_from([1, 2, 3, 4, None]))
def test_routing_gives_up_only_when_nobody_at_all_may_hold_the_case(staff, conflicts, accused,
                                                                     kind, unit, intake):
    facts = CaseFacts(kind, unit_id=unit, accused_user_id=accused)
    decision = route(facts, [Rule(1, unit)] if unit else [], ORG, staff, conflicts,
                     intake_unit_id=intake)
    anyone = [m for m in staff if may_hold(m.id, facts, staff, conflicts)]
    if decision.assignee_id is None:
        assert not anyone
        assert decision.codes()[-1] == "no_eligible_handler"
    else:
        assert may_hold(decision.assignee_id, facts, staff, conflicts)
        assert not is_excluded(decision.assignee_id, accused, conflicts)
        chosen = next(s for s in staff if s.id == decision.assignee_id)
        assert chosen.active and chosen.unit_id == decision.handling_unit_id
