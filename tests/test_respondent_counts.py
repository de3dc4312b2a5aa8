"""Respondents per question set are exact: partial sets, no opinion, other questionnaires."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from survey.analysis import load
from survey.analysis.load import responses as load_responses
from survey.analysis.run import respondent_sets
from survey.models import Counter, ResponseExclusion
from survey.services.indices import load_method
from survey.services.questionnaires import current_version
from survey.services.responses import Submission, record_response

ALL_SIPAS = [f"{element}{i}" for element, n in zip("ABCDE", (4, 5, 6, 3, 4), strict=True)
             for i in range(1, n + 1)]


def _answer(db, counter_code: str, questionnaire: str, answers: dict, key: str) -> int:
    counter = db.session.scalars(select(Counter).where(Counter.code == counter_code)).one()
    return record_response(Submission(
        version_id=current_version(questionnaire).id, unit_id=counter.unit_id,
        counter_id=counter.id, answers=answers, idempotency_key=key,
        submitted_at=datetime(2027, 3, 1, 3, tzinfo=UTC)))[0]


@pytest.fixture
def mixed(demo, db):
    """Two units; responses answering parts of sets, only "no opinion", or other questionnaires."""
    _answer(db, "NB-Q01", "sipas", {"A1": 5, "A2": None, "B1": 3, "overall": 4}, "r1")
    _answer(db, "NB-Q01", "sipas", {"A3": None}, "r2")  # no opinion is an answer
    _answer(db, "NB-Q01", "sipas", {"overall": 5}, "r3")  # in no set of the method
    _answer(db, "NB-Q01", "quick", {"overall": 2}, "r4")
    _answer(db, "NB-HL-Q1", "sipas", {**{f"C{i}": 4 for i in range(1, 7)}, "D2": 2}, "r5")
    _answer(db, "NB-HL-Q1", "sipas", {code: (None if code == "B2" else 4) for code in ALL_SIPAS},
            "r6")
    excluded = _answer(db, "NB-HL-Q1", "sipas", {"E4": 1}, "r7")
    _answer(db, "NB-HL-Q1", "decree61", {f"c{i}": 2 for i in range(1, 10)}, "r8")
    db.session.add(ResponseExclusion(response_id=excluded, reason="test"))
    db.session.commit()
    units = {code: db.session.scalars(select(Counter.unit_id).where(Counter.code == code)).one()
             for code in ("NB-Q01", "NB-HL-Q1")}
    return units["NB-Q01"], units["NB-HL-Q1"]


def _respondents(db, **kwargs) -> dict:
    spec = load_method("sipas")
    tallies = load.answer_tallies(db.session, codes=spec.question_codes(),
                                  sets=respondent_sets(spec), **kwargs)
    return {key: tally.respondents for key, tally in tallies.items()}


@pytest.mark.parametrize("mask_bits", [31, 4])  # 4: the 22 codes split over six masks
def test_respondents_per_set_count_each_response_once(db, mixed, monkeypatch, mask_bits):
    monkeypatch.setattr(load_responses, "_MASK_BITS", mask_bits)
    centre, commune = mixed
    by_unit = _respondents(db, by="unit")
    assert by_unit == {
        centre: {"*": 2, "A": 2, "B": 1, "C": 0, "D": 0, "E": 0},
        commune: {"*": 3, "A": 1, "B": 1, "C": 2, "D": 2, "E": 2},
    }
    everyone = {"*": 5, "A": 3, "B": 2, "C": 2, "D": 2, "E": 2}
    assert _respondents(db) == {(): everyone}
    assert _respondents(db, by="month") == {"2027-03": everyone}
    assert _respondents(db, by="channel") == {"qr": everyone}
    assert _respondents(db, by="unit", without_excluded=True)[commune] == {
        "*": 2, "A": 1, "B": 1, "C": 2, "D": 2, "E": 1}
    assert _respondents(db, unit_ids=[centre], without_excluded=True) == {
        (): {"*": 2, "A": 2, "B": 1, "C": 0, "D": 0, "E": 0}}


def test_respondents_for_overlapping_and_empty_sets(db, mixed):
    centre, commune = mixed
    tallies = load.answer_tallies(
        db.session, codes=ALL_SIPAS, by="unit",
        sets={"A3 or C": ["A3", *(f"C{i}" for i in range(1, 7))], "A and E": ["A1", "E4"],
              "D2": ["D2"]})
    assert {k: t.respondents for k, t in tallies.items()} == {
        centre: {"A3 or C": 1, "A and E": 1, "D2": 0},
        commune: {"A3 or C": 2, "A and E": 2, "D2": 2},
    }
    assert tallies[centre].answers["A3"] == {None: 1}
    assert tallies[commune].answers["C1"] == {4: 2}


def test_no_responses_give_one_empty_whole_group(db, demo):
    assert _respondents(db) == {(): {"*": 0, "A": 0, "B": 0, "C": 0, "D": 0, "E": 0}}
    assert _respondents(db, by="unit") == {}


@pytest.mark.parametrize("by", [None, "unit", "counter", "procedure", "officer", "channel"])
def test_monthly_cells_add_up_to_the_whole_each_month_and_each_group(db, demo, by):
    """The desk's one pass per (group, month) gives what a query per grouping gives."""
    from survey.analysis.grouping import regroup
    from survey.analysis.run import Scope
    from survey.analysis.tally import merged
    from survey.services.demo import add_synthetic_responses
    from survey.services.indices import monthly_cells, whole_tally

    add_synthetic_responses(600, seed=5)
    _answer(db, "NB-Q01", "sipas", {"A1": None}, "only-no-opinion")
    db.session.commit()
    spec, scope = load_method("sipas"), Scope(None, None, None, None)

    def counted(tallies: dict) -> dict:
        return {key: (t.answers, t.respondents) for key, t in tallies.items()}

    def separately(group_by: str) -> dict:
        return counted(load.answer_tallies(db.session, codes=spec.question_codes(),
                                           sets=respondent_sets(spec), by=group_by))

    cells = monthly_cells(spec, scope, by)
    assert len({month for _, month in cells}) >= 6
    assert counted(regroup(cells, lambda cell: cell[1])) == separately("month")
    if by:
        assert len({group for group, _ in cells}) >= (1 if by in ("procedure", "channel") else 2)
        assert counted(regroup(cells, lambda cell: cell[0])) == separately(by)
    whole, expected = merged(list(cells.values())), whole_tally(spec, scope)
    assert whole.answers == expected.answers and whole.respondents == expected.respondents
    assert whole.respondents["*"] > 100


def test_months_are_vietnamese_months_at_the_utc_boundary(db, demo):
    """17:00 UTC on the last day of March is already 1 April in Vietnam (UTC+7, no DST)."""
    from survey.analysis.run import Scope
    from survey.services.indices import monthly_cells

    counter = db.session.scalars(select(Counter).where(Counter.code == "NB-Q01")).one()
    for key, moment in (("march", datetime(2027, 3, 31, 16, 59, tzinfo=UTC)),
                        ("april", datetime(2027, 3, 31, 17, 0, tzinfo=UTC)),
                        ("april-too", datetime(2027, 4, 30, 16, 59, tzinfo=UTC))):
        record_response(Submission(version_id=current_version("sipas").id,
                                   unit_id=counter.unit_id, counter_id=counter.id,
                                   answers={"A1": 4}, idempotency_key=key, submitted_at=moment))
    db.session.commit()
    cells = monthly_cells(load_method("sipas"), Scope(None, None, None, None), None)
    assert {month: tally.respondents["*"] for (_, month), tally in cells.items()} == \
        {"2027-03": 1, "2027-04": 2}
    by_month = _respondents(db, by="month")
    assert {month: counts["*"] for month, counts in by_month.items()} == \
        {"2027-03": 1, "2027-04": 2}
