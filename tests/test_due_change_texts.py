"""Every cause of a due-date change reads as words, in Vietnamese first (render/due_changes)."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from survey.models import User
from survey.render.due_changes import describe_cause


@pytest.mark.parametrize(("cause", "vi", "en"), [
    ({"cause": "accepted", "on": "2026-12-05"}, "05/12/2026", "5 Dec 2026"),
    ({"cause": "start", "on": "2027-01-04"}, "04/01/2027", "4 Jan 2027"),
    ({"cause": "suspended", "days": 5, "unit": "working"}, "5 ngày làm việc", "5 working days"),
    ({"cause": "citizen", "days": 1}, "1 ngày", "1 day"),
    ({"cause": "period", "days": -3, "unit": "working"}, "3 ngày làm việc", "3 working days"),
    ({"cause": "calendar"}, "ngày nghỉ", "days off"),
    ({"cause": "something new"}, "", "recalculated"),
])
def test_each_cause_is_put_into_words_in_either_language(app, cause, vi, en):
    with app.test_request_context(), force_locale("vi"):
        in_vietnamese = describe_cause(cause)
    with app.test_request_context(), force_locale("en"):
        in_english = describe_cause(cause)
    assert vi in in_vietnamese and en in in_english
    assert in_vietnamese != in_english  # the Vietnamese text is a translation, not the English
    assert "{" not in in_vietnamese and "%(" not in in_vietnamese


def test_an_extension_names_its_approver_only_where_names_may_be_shown(app, demo, db):
    leader = db.session.scalar(db.select(User).filter_by(username="chutich"))
    cause = {"cause": "extended", "days": 10, "unit": "working", "by": leader.id}
    with app.test_request_context(), force_locale("vi"):
        named = describe_cause(cause)
        unnamed = describe_cause(cause, show_names=False)
    assert leader.display_name in named and "10 ngày làm việc" in named
    assert leader.display_name not in unnamed and "10 ngày làm việc" in unnamed
