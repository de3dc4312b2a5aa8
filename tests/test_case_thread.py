"""The tracking page's thread, built from plain objects (no app needed)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from survey.rules.case_thread import filed_files, outcome_kind, thread

T0 = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)


@dataclass
class Message:
    visibility: str
    body: str
    minutes: int
    step: str | None = None

    @property
    def created_at(self):
        return T0 + timedelta(minutes=self.minutes)


@dataclass
class File:
    original_name: str
    minutes: int
    added_after_filing: bool = False
    from_citizen: bool = True

    @property
    def created_at(self):
        return T0 + timedelta(minutes=self.minutes)


def test_internal_notes_never_enter_the_thread():
    entries = thread([Message("internal", "ghi chú", 1), Message("public", "trả lời", 2)], [],
                     answered=False)
    assert [e.text for e in entries] == ["trả lời"]


def test_files_sent_later_interleave_with_messages_by_time_and_filed_ones_stay_out():
    files = [File("luc-nop.pdf", 0), File("them.png", 30, added_after_filing=True)]
    messages = [Message("public", "Xin gửi thêm giấy hẹn", 10),
                Message("citizen", "Đã gửi", 40)]
    entries = thread(messages, files, answered=False)
    assert [(e.kind, e.text) for e in entries] == [
        ("office", "Xin gửi thêm giấy hẹn"), ("file", "them.png"), ("citizen", "Đã gửi")]
    assert filed_files(files) == ["luc-nop.pdf"]


def test_after_a_reopening_every_answer_so_far_is_an_earlier_one():
    messages = [Message("public", "Trả lời 1", 10, "resolve"),
                Message("citizen", "Chưa đúng", 20, "reopen")]
    assert [e.kind for e in thread(messages, [], answered=False)] == \
        ["earlier_answer", "reopen_reason"]


def test_once_answered_again_only_the_last_answer_is_current():
    messages = [Message("public", "Trả lời 1", 10, "resolve"),
                Message("citizen", "Chưa đúng", 20, "reopen"),
                Message("public", "Trả lời 2", 30, "resolve")]
    assert [e.kind for e in thread(messages, [], answered=True)] == \
        ["earlier_answer", "reopen_reason", "answer"]


def test_the_outcome_is_an_answer_an_earlier_answer_or_a_reason():
    assert outcome_kind("resolved", T0, 0) == "answer"
    assert outcome_kind("closed", T0, 1) == "answer"
    assert outcome_kind("in_progress", None, 1) == "earlier_answer"
    assert outcome_kind("refused", None, 0) == "reason"
    assert outcome_kind("forwarded", None, 1) == "reason"
