"""Routing rules and conflict-of-interest exclusions (pure: no app, no database).

Reasons carry lazily translated messages; these tests compare reason codes and never render them.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.routing import (
    CaseFacts,
    Org,
    Rule,
    Staff,
    eligible_assignees,
    is_excluded,
    matching_rules,
    route,
)

# 1 province -> 2 department -> 3 office; 4 is another department of the province
ORG = Org({1: None, 2: 1, 3: 2, 4: 1})
PROVINCE, DEPARTMENT, OFFICE, OTHER = 1, 2, 3, 4

# the accused (100) works in the office, led by 101; the department is led by 201
STAFF = [
    Staff(100, OFFICE, open_cases=0, name="Accused"),
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
    assert decision.reasons[0].params == {"rule": 2, "criteria": ("kind", "unit_id")}


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


def test_no_matching_rule_gives_no_unit_and_says_so():
    decision = route(CaseFacts("feedback", unit_id=OFFICE), [], ORG, STAFF)
    assert (decision.handling_unit_id, decision.assignee_id, decision.rule_id) == (None, None, None)
    assert decision.codes() == ["no_rule_matched"]


def test_catch_all_rule_says_it_applies_to_every_case():
    assert route(CaseFacts("feedback"), TO_OFFICE, ORG, []).codes()[0] == "rule_matched_any"


# --- which officer ---

def test_assigns_the_active_officer_with_the_fewest_open_cases():
    decision = route(CaseFacts("feedback", unit_id=OFFICE), TO_OFFICE, ORG, STAFF)
    assert (decision.handling_unit_id, decision.assignee_id) == (OFFICE, 100)
    assert decision.codes()[-1] == "assigned"


def test_ties_in_open_cases_go_to_the_lowest_id():
    staff = [Staff(7, OFFICE, open_cases=2), Staff(5, OFFICE, open_cases=2)]
    assert route(CaseFacts("feedback"), TO_OFFICE, ORG, staff).assignee_id == 5


def test_inactive_officers_are_skipped():
    staff = [Staff(5, OFFICE, active=False, open_cases=0), Staff(7, OFFICE, open_cases=2)]
    decision = route(CaseFacts("feedback"), TO_OFFICE, ORG, staff)
    assert decision.assignee_id == 7
    assert "inactive" in decision.codes()


def test_officers_of_other_units_are_not_assigned():
    staff = [Staff(5, DEPARTMENT, open_cases=0)]
    decision = route(CaseFacts("feedback"), TO_OFFICE, ORG, staff)
    assert (decision.handling_unit_id, decision.assignee_id) == (OFFICE, None)
    assert decision.codes()[-1] == "no_eligible_officer"


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
    assert decision.codes()[-1] == "sent_to_unit_leader"


def test_denunciation_naming_a_leader_goes_to_the_parent_unit_leader():
    decision = route(denunciation(101), TO_OFFICE, ORG, STAFF)
    assert (decision.handling_unit_id, decision.assignee_id) == (DEPARTMENT, 201)
    assert decision.codes() == ["accused_is_leader", "sent_to_higher_leader"]


def test_leader_in_conflict_with_the_accused_passes_the_case_up():
    decision = route(denunciation(100), TO_OFFICE, ORG, STAFF, [frozenset({100, 101})])
    assert (decision.handling_unit_id, decision.assignee_id) == (DEPARTMENT, 201)
    assert decision.codes() == ["excluded_conflict", "no_eligible_leader", "sent_to_higher_leader"]


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


def test_no_eligible_superior_anywhere_leaves_the_case_unassigned():
    conflicts = {frozenset({101, 201}), frozenset({101, 301})}
    decision = route(denunciation(101), TO_OFFICE, ORG, STAFF, conflicts)
    assert (decision.handling_unit_id, decision.assignee_id) == (None, None)
    assert decision.codes()[-1] == "no_eligible_superior"


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


def test_eligible_assignees_are_ordered_by_open_cases_then_id():
    staff = [*STAFF, Staff(105, OFFICE, open_cases=1)]
    ids = [s.id for s in eligible_assignees(staff, OFFICE, 100, [frozenset({100, 103})])]
    assert ids == [102, 105, 101]
    leaders = eligible_assignees(STAFF, OFFICE, None, (), leaders_only=True)
    assert [s.id for s in leaders] == [101]


def test_unit_tree_with_a_cycle_is_refused():
    with pytest.raises(ValueError):
        Org({1: 2, 2: 1}).ancestors(1)


staff_members = st.lists(
    st.builds(Staff, id=st.integers(1, 30), unit_id=st.sampled_from([1, 2, 3, 4]),
              is_leader=st.booleans(), active=st.booleans(), open_cases=st.integers(0, 5)),
    max_size=15, unique_by=lambda s: s.id)
pairs = st.sets(st.frozensets(st.integers(1, 30), min_size=2, max_size=2), max_size=20)


@given(staff=staff_members, conflicts=pairs, accused=st.integers(1, 30),
       kind=st.sampled_from(["denunciation", "complaint"]), unit=st.sampled_from([1, 2, 3, 4]))
def test_no_routing_ever_assigns_the_accused_or_anyone_in_conflict(staff, conflicts, accused,
                                                                   kind, unit):
    facts = CaseFacts(kind, unit_id=unit, accused_user_id=accused)
    decision = route(facts, [Rule(1, unit)], ORG, staff, conflicts)
    if decision.assignee_id is not None:
        assert not is_excluded(decision.assignee_id, accused, conflicts)
        chosen = next(s for s in staff if s.id == decision.assignee_id)
        assert chosen.active and chosen.unit_id == decision.handling_unit_id
