"""The survey's submit() service: what was posted in, one outcome value out (no request needed)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from survey.models import Procedure, Response, ResponseFlag
from survey.services import questionnaires, submission
from survey.services.org import regenerate_survey_code
from survey.services.submission import (
    Blank,
    Browser,
    Duplicate,
    Invalid,
    Moved,
    Refused,
    RepeatRefused,
    Search,
    Stored,
    TokenRefused,
)
from survey.services.tokens import issue_tokens
from tests.conftest import first_counter

KEY = "k" * 24
NOW = time.time()
FRESH = Browser({}, 3600, NOW)  # no cookie, a one-hour repeat window


def posted(**fields: str) -> dict[str, str]:
    return {"q_overall": "4", "idempotency_key": KEY} | fields


def stored_count(db) -> int:
    return db.session.scalar(select(func.count(Response.id)))


@pytest.fixture
def code(demo, db) -> str:
    return first_counter(db).survey_code


def test_valid_answers_are_stored_and_a_low_overall_score_is_said(code, db):
    questionnaires.current("quick")  # the process knows the current version: the short way
    outcome = submission.submit(code, "quick", posted(q_overall="2"), FRESH)
    assert isinstance(outcome, Stored) and outcome.created and outcome.low_score
    assert db.session.get(Response, outcome.response_id).counter_id == first_counter(db).id


def test_the_long_way_stores_too_with_the_units_procedure(code, db):
    procedure = first_counter(db).unit.procedures[0]
    outcome = submission.submit(code, "quick", posted(action="send", procedure=procedure.code),
                                FRESH)
    assert isinstance(outcome, Stored) and outcome.created and not outcome.low_score
    assert db.session.get(Response, outcome.response_id).procedure_id == procedure.id


def test_the_same_key_sent_again_is_stored_once(code, db):
    first = submission.submit(code, "quick", posted(), FRESH)
    again = submission.submit(code, "quick", posted(), FRESH)
    assert isinstance(again, Stored) and not again.created
    assert again.response_id == first.response_id and stored_count(db) == 1


def test_a_resend_after_the_repeat_window_began_is_a_duplicate_not_a_refusal(code, db):
    submission.submit(code, "quick", posted(), FRESH)
    answered = Browser({code: int(NOW)}, 3600, NOW)
    assert submission.submit(code, "quick", posted(), answered) == Duplicate()
    assert stored_count(db) == 1


def test_a_second_answer_within_the_window_is_refused(code, db):
    answered = Browser({code: int(NOW) - 60}, 3600, NOW)
    outcome = submission.submit(code, "quick", posted(), answered)
    assert outcome == RepeatRefused(first_counter(db).code) and stored_count(db) == 0
    assert submission.open_form(code, "quick", None, answered) == RepeatRefused(
        first_counter(db).code)


def test_no_window_on_a_kiosk_takes_every_answer(code, db):
    kiosk = Browser({code: int(NOW) - 60}, 0, NOW)
    assert isinstance(submission.submit(code, "quick", posted(), kiosk), Stored)


def test_a_link_is_taken_once_then_refused_as_used(code, db):
    [token] = issue_tokens(first_counter(db))
    answered = Browser({code: int(NOW) - 60}, 3600, NOW)  # a link is not held to the window
    assert isinstance(submission.submit(code, "quick", posted(token=token), answered), Stored)
    outcome = submission.submit(code, "quick", posted(token=token, idempotency_key="n" * 24),
                                FRESH)
    assert outcome == TokenRefused("used") and stored_count(db) == 1


def test_a_resend_with_a_used_link_is_a_duplicate(code, db):
    [token] = issue_tokens(first_counter(db))
    submission.submit(code, "quick", posted(token=token), FRESH)
    assert submission.submit(code, "quick", posted(token=token), FRESH) == Duplicate()


def test_an_unknown_link_is_refused(code, db):
    assert submission.submit(code, "quick", posted(token="no-such-link"), FRESH) == \
        TokenRefused("unknown")
    assert submission.open_form(code, "quick", "no-such-link", FRESH) == TokenRefused("unknown")


def test_a_link_under_a_replaced_code_moves_on_to_the_new_code(code, db):
    counter = first_counter(db)
    [token] = issue_tokens(counter)
    new = regenerate_survey_code(counter)
    assert submission.submit(code, "quick", posted(token=token), FRESH) == Moved(new, token)
    assert submission.open_form(code, "quick", token, FRESH) == Moved(new, token)


def test_a_code_never_issued_is_refused_and_a_revoked_one_is_gone(code, db):
    assert submission.submit("nosuch", "quick", posted(), FRESH) == Refused(gone=False)
    regenerate_survey_code(first_counter(db))
    assert submission.submit(code, "quick", posted(), FRESH) == Refused(gone=True)
    assert submission.open_form(code, "quick", None, FRESH) == Refused(gone=True)


def test_a_counter_out_of_service_is_gone(code, db):
    first_counter(db).active = False
    db.session.commit()
    assert submission.submit(code, "quick", posted(), FRESH) == Refused(gone=True)
    assert stored_count(db) == 0


def test_missing_or_out_of_scale_answers_are_invalid_with_their_errors(code, db):
    outcome = submission.submit(code, "quick", posted(q_overall="9"), FRESH)
    assert isinstance(outcome, Invalid) and [e.question for e in outcome.errors] == ["overall"]
    missing = submission.submit(code, "quick", {"idempotency_key": KEY}, FRESH)
    assert isinstance(missing, Invalid) and [e.question for e in missing.errors] == ["overall"]
    assert stored_count(db) == 0


def test_a_procedure_of_another_unit_is_invalid_without_answer_errors(code, db):
    foreign = db.session.scalars(select(Procedure).where(Procedure.code == "1.001193")).one()
    outcome = submission.submit(code, "quick", posted(procedure=foreign.code), FRESH)
    assert isinstance(outcome, Invalid) and outcome.procedure_id is False
    assert outcome.errors == () and stored_count(db) == 0


def test_a_comment_too_long_is_invalid(code, db):
    outcome = submission.submit(code, "quick", posted(comment="x" * 2001), FRESH)
    assert isinstance(outcome, Invalid) and stored_count(db) == 0


def test_a_procedure_search_shows_the_form_again_and_stores_nothing(code, db):
    outcome = submission.submit(code, "quick", posted(action="search", q="hộ tịch"), FRESH)
    assert isinstance(outcome, Search) and outcome.token is None
    assert outcome.version.id == questionnaires.current("quick").id and stored_count(db) == 0


def test_the_form_opens_with_the_current_version_and_the_link_it_carries(code, db):
    [token] = issue_tokens(first_counter(db))
    outcome = submission.open_form(code, "sipas", token, FRESH)
    assert outcome == Blank(questionnaires.current("sipas"), token, None)


def test_a_browser_that_answered_three_counters_in_an_hour_is_flagged_not_refused(demo, db):
    from survey.models import Counter

    codes = [c.survey_code for c in db.session.scalars(select(Counter).order_by(Counter.id))]
    browser = Browser({codes[1]: int(NOW) - 600, codes[2]: int(NOW) - 300}, 3600, NOW)
    outcome = submission.submit(codes[0], "quick", posted(), browser)
    assert isinstance(outcome, Stored)
    assert db.session.scalars(select(ResponseFlag.kind).where(
        ResponseFlag.response_id == outcome.response_id)).all() == ["repeat_browser"]
    quiet = submission.submit(codes[0], "quick", posted(idempotency_key="q" * 24),
                              Browser({}, 0, NOW))
    assert not db.session.scalars(select(ResponseFlag).where(
        ResponseFlag.response_id == quiet.response_id)).all()
