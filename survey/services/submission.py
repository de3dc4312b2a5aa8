"""One survey submission: what a browser posted in, an outcome out (the view maps it to a page).

A submission is the busiest request of the platform, so its path is lean. When this process has
read the questionnaire's current version (definitions are cached by checksum), a plain submission
(no one-time link, no recent answer from this browser, valid answers) is one INSERT that checks
the counter, the version and the procedure itself (``responses.record_at_counter``). Otherwise, or
when that INSERT stores nothing, the long way reads counter, version and procedure by one query
and tells the cases apart: a code never issued or retired, a link issued under a code since
replaced, a link used or unknown, a repeat within the window, a double tap resent, a search for a
procedure, answers with errors. ``open_form`` makes the same checks for the page that shows the
form. Like every service this flushes and never commits.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from survey.models import Channel
from survey.rules.answers import COMMENT_MAX_LENGTH, AnswerError, parse_answers
from survey.rules.questionnaire_spec import Definition
from survey.services import flags, survey_targets, tokens
from survey.services import questionnaires as questionnaire_service
from survey.services.responses import (
    Submission,
    TokenRejected,
    find_by_key,
    record_at_counter,
    record_response,
)
from survey.web import recent

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
LOW_SCORES = frozenset({1, 2})


@dataclass(frozen=True)
class Browser:
    """What the browser's signed cookie says it answered, and the refusal window in force."""

    answered: Mapping[str, int]  # survey code -> unix time of the answer (``web.recent.read``)
    window_seconds: int  # 0: a shared kiosk, nothing refused
    now: float  # unix time

    def answered_recently(self, code: str) -> bool:
        return self.window_seconds > 0 and recent.answered_within(
            self.answered, code, self.window_seconds, self.now)


# ---- outcomes ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Stored:
    """The answers are stored (or were, under the same key: ``created`` is False)."""

    response_id: int
    created: bool
    low_score: bool  # the overall answer was 1 or 2: the thank-you page offers to say more


@dataclass(frozen=True)
class Duplicate:
    """A resend of answers already stored (a double tap, a retry) that would now be refused."""


@dataclass(frozen=True)
class TokenRefused:
    """The one-time link was used already, or is not one of this counter's."""

    state: str  # "used" or "unknown"


@dataclass(frozen=True)
class RepeatRefused:
    """This browser answered the counter within the repeat window."""

    counter_code: str


@dataclass(frozen=True)
class Moved:
    """A one-time link issued under a code since replaced: it goes on to the counter's new code."""

    code: str
    token: str


@dataclass(frozen=True)
class Refused:
    """No survey here: a code never issued (``gone`` False: 404) or revoked, retired (410)."""

    gone: bool


@dataclass(frozen=True)
class FormOutcome:
    """The form is shown (again): the version it asks, the link it carries, the posted procedure
    as the look-up judged it (None: none chosen; False: not one of the unit's)."""

    version: questionnaire_service.CurrentVersion
    token: str | None
    procedure_id: int | None | bool


@dataclass(frozen=True)
class Blank(FormOutcome):
    """The form, as a GET opens it."""


@dataclass(frozen=True)
class Search(FormOutcome):
    """A procedure search inside the form: the form again with what was typed."""


@dataclass(frozen=True)
class Invalid(FormOutcome):
    """Answers with errors (or a procedure of another unit, or a comment too long): nothing
    stored, the form again with what was typed."""

    errors: tuple[AnswerError, ...] = ()


Outcome = (Stored | Duplicate | TokenRefused | RepeatRefused | Moved | Refused | Blank | Search
           | Invalid)


# ---- the service ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Read:
    answers: dict[str, int | None]
    errors: tuple[AnswerError, ...]
    comment: str
    key: str  # the posted idempotency key, or a fresh one when it is missing or malformed

    @property
    def valid(self) -> bool:
        return not self.errors and len(self.comment) <= COMMENT_MAX_LENGTH


def _read(posted: Mapping[str, str], definition: Definition) -> _Read:
    """Read the posted answers against the definition (``parse_answers`` is the one judge)."""
    answers, errors = parse_answers(
        definition, {q.code: posted.get(f"q_{q.code}") for q in definition.questions})
    key = posted.get("idempotency_key", "")
    return _Read(answers, tuple(errors), posted.get("comment", ""),
                 key if KEY_PATTERN.match(key) else secrets.token_urlsafe(18))


def submit(code: str, questionnaire: str, posted: Mapping[str, str],
           browser: Browser) -> Outcome:
    """Store a posted survey form for the counter of ``code`` if everything allows it."""
    token = (posted.get("token") or "")[:64] or None
    if token is None and "action" not in posted and not browser.answered_recently(code):
        stored = _store_at_known_version(code, questionnaire, posted, browser)
        if stored is not None:
            return stored
    found = _look_up(code, questionnaire, token, posted.get("procedure"), browser)
    if not isinstance(found, _Found):
        if isinstance(found, TokenRefused | RepeatRefused) and _already_stored(
                posted.get("idempotency_key", "")):
            return Duplicate()  # the resend of a request that succeeded
        return found
    if posted.get("action") == "search":
        return Search(found.version, token, found.procedure_id)
    read = _read(posted, found.version.definition)
    if not read.valid or found.procedure_id is False:
        return Invalid(found.version, token, found.procedure_id, read.errors)
    return _store(found, read, token, browser)


def open_form(code: str, questionnaire: str, token: str | None, browser: Browser) -> Outcome:
    """Check that the form of ``code`` may be shown to this browser (with this link)."""
    token = (token or "")[:64] or None
    found = _look_up(code, questionnaire, token, None, browser)
    return Blank(found.version, token, None) if isinstance(found, _Found) else found


@dataclass(frozen=True)
class _Found:
    target: survey_targets.Target
    version: questionnaire_service.CurrentVersion
    procedure_id: int | None | bool


def _look_up(code: str, questionnaire: str, token: str | None, procedure: str | None,
             browser: Browser) -> _Found | Refused | Moved | TokenRefused | RepeatRefused:
    """Counter, current version and posted procedure by one query, then the refusals in order."""
    found = survey_targets.find_for_survey(code, questionnaire, procedure)
    if found is None and token and (current := tokens.current_code_of_link(code, token)):
        return Moved(current, token)
    if found is None or not found.target.active:
        return Refused(gone=found is not None or survey_targets.is_revoked(code))
    if found.version_id is None or found.version_checksum is None:  # both or neither
        return Refused(gone=False)
    target = found.target
    if token and (state := tokens.token_state(token, target.counter_id)) != "valid":
        return TokenRefused(state)
    if not token and browser.answered_recently(code):
        return RepeatRefused(target.counter_code)
    version = questionnaire_service.current_version_read(questionnaire, found.version_id,
                                                         found.version_checksum)
    return _Found(target, version, found.procedure_id)


def _store_at_known_version(code: str, questionnaire: str, posted: Mapping[str, str],
                            browser: Browser) -> Stored | None:
    """The short way: valid answers for the version this process last read as current, stored
    by one statement that checks what the long way would (``record_at_counter``). None when
    there is no such version, the answers are not valid for it, or the statement stored
    nothing: the long way then tells the cases apart."""
    version = questionnaire_service.last_seen_current(questionnaire)
    if version is None:
        return None
    read = _read(posted, version.definition)
    if not read.valid:
        return None
    response_id = record_at_counter(code, questionnaire, version.id, version.checksum,
                                    posted.get("procedure"), read.answers, read.key,
                                    read.comment)
    return None if response_id is None else _stored(code, response_id, True, read, browser)


def _store(found: _Found, read: _Read, token: str | None, browser: Browser) -> Outcome:
    target = found.target
    try:
        response_id, created = record_response(Submission(
            version_id=found.version.id, unit_id=target.unit_id, counter_id=target.counter_id,
            officer_id=target.officer_id, answers=read.answers, idempotency_key=read.key,
            channel=Channel.QR, procedure_id=found.procedure_id or None, comment=read.comment,
            token=token))
    except TokenRejected:  # another tab used the link since the look-up; nothing was written
        return TokenRefused("used")
    return _stored(target.code, response_id, created, read, browser)


def _stored(code: str, response_id: int, created: bool, read: _Read,
            browser: Browser) -> Stored:
    """Flag the answer when this browser's cookie shows repeated answers (only flagged)."""
    if created and browser.answered and recent.is_repeat_browser(browser.answered, code,
                                                                 browser.now):
        flags.flag_response(response_id, "repeat_browser")
    return Stored(response_id, created, read.answers.get("overall") in LOW_SCORES)


def _already_stored(key: str) -> bool:
    return KEY_PATTERN.match(key) is not None and find_by_key(key) is not None
