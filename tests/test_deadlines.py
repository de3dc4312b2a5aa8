"""The deadline rulebook and the milestones it gives a case (pure: no app, no database).

Expected dates are counted by hand on the 2026-2027 Vietnamese calendar; the comments show how.
"""

import json
from datetime import date

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from survey.rules.deadlines import (
    DayUnit,
    RulebookError,
    StartsFrom,
    compute_milestones,
    milestones_as_json,
    parse_rulebook,
)
from survey.rules.workdays import CalendarRangeError, vietnam_calendar
from survey.services.milestones import rulebook, statutory_milestones

CALENDAR = vietnam_calendar([2026, 2027])
RULEBOOK = rulebook()  # the shipped rulebook, through its one loader
MON_2_MAR = date(2026, 3, 2)  # received; 10 WD later is Mon 16 Mar (no holidays in between)
THU_5_MAR = date(2026, 3, 5)


def dues(kind: str, **case) -> dict[str, date]:
    case.setdefault("received", MON_2_MAR)
    return {m.name: m.due for m in compute_milestones(RULEBOOK, CALENDAR, kind, **case)}


def rule(kind: str, name: str):
    return next(r for r in RULEBOOK.kinds[kind] if r.name == name)


# --- the default rulebook against PRODUCT.md's table ---

def test_default_rulebook_has_the_four_kinds_with_their_milestones():
    assert {kind: [r.name for r in rules] for kind, rules in RULEBOOK.kinds.items()} == {
        "feedback": ["forward", "resolve"],
        "complaint": ["forward", "accept", "resolve"],
        "complaint-second": ["forward", "accept", "resolve"],
        "denunciation": ["forward", "accept", "notify", "resolve"],
    }


def test_default_lengths_units_and_starting_points_follow_the_statutes():
    expected = {
        ("feedback", "resolve"): ("working", {"normal": 10}, "received"),
        # forwarding a complaint or petition outside competence: the rules on handling
        # petitions (Circular 05/2021/TT-TTCP), 10 WD; a denunciation: Law on Denunciations, 5 WD
        ("feedback", "forward"): ("working", {"normal": 10}, "received"),
        ("complaint", "forward"): ("working", {"normal": 10}, "received"),
        ("complaint-second", "forward"): ("working", {"normal": 10}, "received"),
        ("denunciation", "forward"): ("working", {"normal": 5}, "received"),
        ("complaint", "accept"): ("working", {"normal": 10}, "received"),
        ("complaint", "resolve"): ("calendar", {"normal": 30, "complex": 45, "remote": 45,
                                                "remote-complex": 60}, "accepted"),
        ("complaint-second", "accept"): ("working", {"normal": 10}, "received"),
        ("complaint-second", "resolve"): ("calendar", {"normal": 45, "complex": 60, "remote": 60,
                                                       "remote-complex": 70}, "accepted"),
        ("denunciation", "accept"): ("working", {"normal": 7, "complex": 10}, "received"),
        ("denunciation", "notify"): ("working", {"normal": 5}, "accepted"),
        ("denunciation", "resolve"): ("calendar", {"normal": 30}, "accepted"),
    }
    for (kind, name), (unit, lengths, start) in expected.items():
        r = rule(kind, name)
        assert (r.unit, dict(r.lengths), r.starts_from) == (DayUnit(unit), lengths,
                                                           StartsFrom(start)), (kind, name)


def test_only_denunciation_resolution_allows_extensions_of_30_days_up_to_90_in_total():
    r = rule("denunciation", "resolve")
    assert (r.extension_days, r.extensions_allowed) == (30, (0, 1, 2))
    assert r.length(2, False) + r.extensions_allowed[2] * r.extension_days == 90
    others = [x for rules in RULEBOOK.kinds.values() for x in rules if x is not r]
    assert all(x.extensions_allowed == (0, 0, 0) for x in others)


def test_every_milestone_has_a_legal_basis_and_labels_in_both_languages():
    for rules in RULEBOOK.kinds.values():
        for r in rules:
            assert r.basis and r.label["vi"] and r.label["en"]
    assert rule("feedback", "resolve").basis == "Điều 28 Luật Tiếp công dân 2013"
    assert "Điều 30 Luật Tố cáo 2018" in rule("denunciation", "resolve").basis


# --- each kind's milestones ---

def test_feedback_is_due_ten_working_days_after_receipt():
    assert dues("feedback") == {"resolve": date(2026, 3, 16)}


def test_feedback_received_before_tet_2027_skips_the_holiday():
    # 4-10 Feb 2027 are Tết: Thu 11 .. Wed 24 Feb are the ten working days
    assert dues("feedback", received=date(2027, 2, 3)) == {"resolve": date(2027, 2, 24)}


def test_forward_milestone_applies_only_when_the_caller_includes_it():
    # feedback: 10 WD after Mon 2 Mar is Mon 16 Mar; a denunciation's 5 WD: Tue 3 .. Mon 9
    assert dues("feedback", include=("forward",)) == {"forward": date(2026, 3, 16),
                                                      "resolve": date(2026, 3, 16)}
    assert dues("denunciation", include=("forward",))["forward"] == date(2026, 3, 9)
    assert "forward" not in dues("denunciation")


def test_forwarding_cites_the_law_on_denunciations_only_for_denunciations():
    assert rule("denunciation", "forward").basis == "Khoản 2 Điều 24 Luật Tố cáo 2018"
    for kind in ("feedback", "complaint", "complaint-second"):
        basis = rule(kind, "forward").basis
        assert "05/2021/TT-TTCP" in basis and "Tố cáo" not in basis, kind


def test_including_an_unknown_optional_milestone_is_refused():
    with pytest.raises(ValueError):
        dues("feedback", include=("notify",))


def test_first_complaint_not_yet_accepted_counts_from_the_latest_lawful_acceptance():
    # accept by Mon 16 Mar (10 WD); 16 Mar + 30 days = Wed 15 Apr
    assert dues("complaint") == {"accept": date(2026, 3, 16), "resolve": date(2026, 4, 15)}


def test_first_complaint_resolution_counts_from_acceptance_and_skips_the_weekend():
    # 5 Mar + 30 days = Sat 4 Apr -> Mon 6 Apr
    assert dues("complaint", accepted=THU_5_MAR)["resolve"] == date(2026, 4, 6)


@pytest.mark.parametrize(("complexity", "remote", "expected"), [
    (1, False, date(2026, 4, 20)),  # 45 days: Sun 19 Apr -> Mon 20 Apr
    (2, False, date(2026, 4, 20)),  # especially complex is complex for a complaint
    (0, True, date(2026, 4, 20)),   # remote: 45 days
    (1, True, date(2026, 5, 4)),    # remote and complex: 60 days, Mon 4 May
])
def test_first_complaint_complex_and_remote_variants(complexity, remote, expected):
    due = dues("complaint", accepted=THU_5_MAR, complexity=complexity, remote=remote)
    assert due["resolve"] == expected


@pytest.mark.parametrize(("complexity", "remote", "expected"), [
    (0, False, date(2026, 4, 20)),  # 45 days: Sun 19 Apr -> Mon 20 Apr
    (1, False, date(2026, 5, 4)),   # 60 days
    (0, True, date(2026, 5, 4)),    # remote: 60 days
    (1, True, date(2026, 5, 14)),   # remote and complex: 70 days, Thu 14 May
])
def test_second_complaint_variants(complexity, remote, expected):
    due = dues("complaint-second", accepted=THU_5_MAR, complexity=complexity, remote=remote)
    assert due["accept"] == date(2026, 3, 16)
    assert due["resolve"] == expected


def test_denunciation_acceptance_is_seven_working_days_or_ten_with_several_sites():
    # 7 WD: Tue 3 .. Wed 11 Mar; 10 WD: Mon 16 Mar
    assert dues("denunciation")["accept"] == date(2026, 3, 11)
    assert dues("denunciation", complexity=1)["accept"] == date(2026, 3, 16)


def test_denunciation_notice_and_resolution_count_from_acceptance():
    # accepted Tue 10 Mar: notify 5 WD = Wed 11, Thu 12, Fri 13, Mon 16, Tue 17;
    # resolve 10 Mar + 30 days = Thu 9 Apr
    assert dues("denunciation", accepted=date(2026, 3, 10)) == {
        "accept": date(2026, 3, 11), "notify": date(2026, 3, 17), "resolve": date(2026, 4, 9)}


def test_denunciation_not_yet_accepted_assumes_acceptance_on_the_last_lawful_day():
    # accept by Wed 11 Mar; notify Thu 12 .. Wed 18 Mar; 11 Mar + 30 = Fri 10 Apr
    assert dues("denunciation") == {"accept": date(2026, 3, 11), "notify": date(2026, 3, 18),
                                    "resolve": date(2026, 4, 10)}


@pytest.mark.parametrize(("complexity", "granted", "expected"), [
    (0, 0, date(2026, 4, 9)),    # 30 days
    (0, 1, date(2026, 4, 9)),    # a normal case allows no extension: not counted
    (1, 1, date(2026, 5, 11)),   # 60 days: Sat 9 May -> Mon 11 May
    (1, 2, date(2026, 5, 11)),   # complex allows one extension only
    (2, 1, date(2026, 5, 11)),
    (2, 2, date(2026, 6, 8)),    # 90 days at most: Mon 8 Jun
    (2, 3, date(2026, 6, 8)),
])
def test_denunciation_extensions_are_granted_and_capped_by_complexity(complexity, granted,
                                                                       expected):
    milestones = compute_milestones(RULEBOOK, CALENDAR, "denunciation", received=MON_2_MAR,
                                    accepted=date(2026, 3, 10), complexity=complexity,
                                    extensions_granted=granted)
    assert milestones[-1].name == "resolve"
    assert milestones[-1].due == expected


def test_complexity_alone_does_not_extend_a_denunciation():
    assert dues("denunciation", accepted=date(2026, 3, 10), complexity=2)["resolve"] == \
        date(2026, 4, 9)


# --- pauses ---

def test_pause_moves_a_working_day_deadline_by_its_working_days():
    # waiting from Wed 4 to Fri 6 Mar: Thu 5 and Fri 6 are off the clock -> 16 Mar + 2 WD
    [milestone] = compute_milestones(RULEBOOK, CALENDAR, "feedback", received=MON_2_MAR,
                                     paused=[(date(2026, 3, 4), date(2026, 3, 6))])
    assert (milestone.due, milestone.paused_days, milestone.days) == (date(2026, 3, 18), 2, 10)


def test_pause_starting_on_or_after_the_due_date_changes_nothing():
    assert dues("feedback", paused=[(date(2026, 3, 16), date(2026, 3, 18))]) == \
        {"resolve": date(2026, 3, 16)}
    assert dues("feedback", paused=[(date(2026, 3, 20), date(2026, 3, 25))]) == \
        {"resolve": date(2026, 3, 16)}


def test_second_pause_counts_when_the_first_has_moved_the_deadline_past_its_start():
    # the first pause moves the due date to Wed 18 Mar, so the pause from Tue 17 counts (1 WD)
    pauses = [(date(2026, 3, 4), date(2026, 3, 6)), (date(2026, 3, 17), date(2026, 3, 18))]
    assert dues("feedback", paused=pauses) == {"resolve": date(2026, 3, 19)}


def test_overlapping_pauses_are_not_counted_twice():
    # merged: Wed 4 to Mon 9 Mar = Thu 5, Fri 6, Mon 9 -> 13 WD after 2 Mar = Thu 19 Mar
    pauses = [(date(2026, 3, 4), date(2026, 3, 6)), (date(2026, 3, 5), date(2026, 3, 9))]
    assert dues("feedback", paused=pauses) == {"resolve": date(2026, 3, 19)}


def test_pause_moves_a_calendar_day_deadline_by_its_calendar_days():
    # 10 days paused: 5 Mar + 40 days = Tue 14 Apr
    due = dues("complaint", accepted=THU_5_MAR, paused=[(date(2026, 3, 10), date(2026, 3, 20))])
    assert due["resolve"] == date(2026, 4, 14)


def test_pause_before_acceptance_moves_acceptance_but_not_resolution():
    # waiting Tue 3 to Wed 4 Mar: accept moves to Tue 17 Mar; resolution counts from 5 Mar
    due = dues("complaint", accepted=THU_5_MAR, paused=[(date(2026, 3, 3), date(2026, 3, 4))])
    assert due == {"accept": date(2026, 3, 17), "resolve": date(2026, 4, 6)}


def test_only_the_part_of_a_pause_after_acceptance_moves_the_resolution():
    # waiting Tue 3 to Mon 9 Mar, accepted Thu 5: 4 days (6-9 Mar) fall after acceptance;
    # 5 Mar + 34 days = Wed 8 Apr
    due = dues("complaint", accepted=THU_5_MAR, paused=[(date(2026, 3, 3), date(2026, 3, 9))])
    assert due["resolve"] == date(2026, 4, 8)


def test_pause_ending_before_it_begins_is_refused():
    with pytest.raises(ValueError):
        dues("feedback", paused=[(date(2026, 3, 6), date(2026, 3, 4))])


# --- arguments and output ---

def test_acceptance_before_receipt_is_refused():
    with pytest.raises(ValueError):
        dues("complaint", accepted=date(2026, 3, 1))


def test_unknown_kind_and_complexity_are_refused():
    with pytest.raises(ValueError):
        dues("appeal")
    with pytest.raises(ValueError):
        dues("complaint", complexity=3)


def test_deadline_beyond_the_calendar_is_refused():
    with pytest.raises(CalendarRangeError):
        compute_milestones(RULEBOOK, vietnam_calendar([2026]), "complaint",
                           received=date(2026, 12, 1))


def test_json_matches_the_cli_contract():
    milestones = compute_milestones(RULEBOOK, CALENDAR, "complaint", received=MON_2_MAR)
    assert milestones_as_json(milestones) == {"milestones": [
        {"name": "accept", "due": "2026-03-16", "unit": "working", "days": 10,
         "basis": "Điều 27 Luật Khiếu nại 2011; Điều 16 Nghị định 124/2020/NĐ-CP"},
        {"name": "resolve", "due": "2026-04-15", "unit": "calendar", "days": 30,
         "basis": "Điều 28 Luật Khiếu nại 2011"},
    ]}
    assert json.loads(json.dumps(milestones_as_json(milestones), ensure_ascii=False))


def test_statutory_milestones_use_the_default_rulebook_and_calendar():
    # accept Mon 16 Mar; complex: 16 Mar + 45 = Thu 30 Apr (holiday), Fri 1 May (holiday),
    # weekend -> Mon 4 May
    milestones = statutory_milestones("complaint", MON_2_MAR, is_complex=True)
    assert [(m.name, m.due, m.days) for m in milestones] == [
        ("accept", date(2026, 3, 16), 10), ("resolve", date(2026, 5, 4), 45)]


def test_statutory_milestones_for_a_second_complaint_in_a_remote_area():
    # 16 Mar + 60 days = Fri 15 May
    milestones = statutory_milestones("complaint-second", MON_2_MAR, remote=True)
    assert milestones[-1].due == date(2026, 5, 15)


@given(kind=st.sampled_from(sorted(RULEBOOK.kinds)),
       received=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)),
       complexity=st.integers(min_value=0, max_value=2), remote=st.booleans())
def test_every_milestone_falls_on_a_working_day_after_receipt(kind, received, complexity, remote):
    for milestone in compute_milestones(RULEBOOK, CALENDAR, kind, received=received,
                                        complexity=complexity, remote=remote):
        assert CALENDAR.is_working_day(milestone.due)
        assert milestone.due > received


# --- validation ---

def errors_of(data: dict) -> list[str]:
    with pytest.raises(RulebookError) as caught:
        parse_rulebook(yaml.safe_dump(data, allow_unicode=True))
    return [error.where for error in caught.value.errors]


def milestone(**overrides) -> dict:
    base = {"name": "resolve", "unit": "working", "days": 10, "starts_from": "received",
            "basis": "Điều 28 Luật Tiếp công dân 2013", "label": {"vi": "Xử lý", "en": "Resolve"}}
    return {**base, **overrides}


def test_a_valid_minimal_rulebook_parses():
    book = parse_rulebook(yaml.safe_dump({"kinds": {"feedback": [milestone()]}}))
    assert [r.name for r in book.kinds["feedback"]] == ["resolve"]


@pytest.mark.parametrize(("overrides", "where"), [
    ({"basis": ""}, "kinds.feedback[0].basis"),
    ({"unit": "hours"}, "kinds.feedback[0].unit"),
    ({"starts_from": "filed"}, "kinds.feedback[0].starts_from"),
    ({"label": {"vi": "Xử lý"}}, "kinds.feedback[0].label"),
    ({"name": "has space"}, "kinds.feedback[0].name"),
    ({"days": 0}, "kinds.feedback[0].days"),
    ({"days": {"complex": 45}}, "kinds.feedback[0].days"),
    ({"days": {"normal": 30, "complex": 45, "remote": 45}}, "kinds.feedback[0].days"),
    ({"extensions": {"days": 30, "allowed": {"complex": 2, "especially-complex": 1}}},
     "kinds.feedback[0].extensions.allowed"),
    ({"extensions": {"days": 0}}, "kinds.feedback[0].extensions.days"),
])
def test_invalid_milestone_is_reported_where_it_is(overrides, where):
    assert errors_of({"kinds": {"feedback": [milestone(**overrides)]}}) == [where]


def test_milestones_from_acceptance_need_an_accept_milestone():
    data = {"kinds": {"complaint": [milestone(starts_from="accepted")]}}
    assert errors_of(data) == ["kinds.complaint"]


def test_duplicate_milestone_names_are_reported():
    assert errors_of({"kinds": {"feedback": [milestone(), milestone()]}}) == ["kinds.feedback"]


def test_every_error_is_reported_at_once():
    data = {"kinds": {"feedback": [milestone(basis="", unit="hours")]}}
    assert sorted(errors_of(data)) == ["kinds.feedback[0].basis", "kinds.feedback[0].unit"]


def test_invalid_yaml_and_missing_kinds_are_reported():
    with pytest.raises(RulebookError):
        parse_rulebook("kinds: [unclosed")
    assert errors_of({"version": 1}) == ["kinds"]
