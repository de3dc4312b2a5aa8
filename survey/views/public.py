"""Citizen pages: the counter survey reached from a QR code. No account, no JavaScript needed.

A submission is the busiest request of the platform, so its path is lean. Its CSRF check needs
no session (``survey.survey_csrf``). Once the process has read the questionnaire's current version
(definitions are cached by checksum), a plain submission is one INSERT that checks the counter,
the version and the procedure itself, then the commit and a redirect; otherwise (a one-time link,
a recent answer, a failed check) one query reads counter, version and procedure and the long way
tells the cases apart. Rendering (GET, or a form with errors) loads what the page shows.
"""

from __future__ import annotations

import re
import secrets
import time
from typing import NoReturn

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _

from survey.extensions import csrf, db, limiter
from survey.forms.survey import build_survey_form, problems, question_fields, raw_answers
from survey.models import Channel, Counter
from survey.rules.answers import COMMENT_MAX_LENGTH, parse_answers
from survey.services import questionnaires as questionnaire_service
from survey.services import survey_targets
from survey.services.responses import (
    Submission,
    TokenRejected,
    find_by_key,
    record_at_counter,
    record_response,
)
from survey.services.tokens import current_code_of_link, token_state
from survey.web import recent, survey_csrf

bp = Blueprint("public", __name__)

FORMS = {"quick": "quick", "full": "sipas"}
# The survey form's CSRF check is survey_csrf's, before any other work; CSRFProtect skips these.
SURVEY_ENDPOINTS = frozenset({"public.survey_quick", "public.survey_full"})
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
LOW_SCORES = {1, 2}


def _client_limit() -> str:
    return current_app.config["SURVEY_RATE_LIMIT_CLIENT"]


def _counter_limit() -> str:
    return current_app.config["SURVEY_RATE_LIMIT_COUNTER"]


def _counter_key() -> str:
    return "counter:" + (request.view_args or {}).get("code", "")


@bp.before_request
def _check_survey_csrf() -> None:
    if request.method == "POST" and request.endpoint in SURVEY_ENDPOINTS:
        survey_csrf.protect()


def _refuse(code: str, known: bool) -> NoReturn:
    """A revoked or retired code gets the kind 410 page; a code never issued, 404."""
    abort(410 if known or survey_targets.is_revoked(code) else 404)


def target_or_404(code: str) -> survey_targets.Target:
    """The active counter with this code; a revoked or retired code gets the kind 410 page."""
    target = survey_targets.find(code)
    if target is None or not target.active:
        _refuse(code, target is not None)
    return target


def _lookup_or_404(code: str, form_name: str, procedure: str | None,
                   token: str | None = None) -> survey_targets.SurveyLookup:
    """``target_or_404`` with the form's current version and the posted procedure, one query."""
    found = survey_targets.find_for_survey(code, FORMS[form_name], procedure)
    if found is None and token:
        _follow_link(code, token, form_name)
    if found is None or not found.target.active:
        _refuse(code, found is not None)
    if found.version_id is None:
        abort(404)
    return found


def _follow_link(code: str, token: str, form_name: str) -> None:
    """Send a one-time link issued under a code since replaced on to the counter's new code.

    A link belongs to a dossier, not to the poster: a new code for the poster must not break the
    links already handed out. A form opened before the change keeps its answers (307).
    """
    current = current_code_of_link(code, token)
    if current is None:
        return
    endpoint = f"public.survey_{form_name}"
    if request.method == "POST":
        abort(redirect(url_for(endpoint, code=current), code=307))
    abort(redirect(url_for(endpoint, code=current, **{**request.args.to_dict(), "t": token})))


def _answered_recently(code: str) -> bool:
    window = current_app.config["SURVEY_REPEAT_WINDOW_MINUTES"] * 60
    if window <= 0:
        return False
    entries = recent.read(request.cookies.get(recent.COOKIE), current_app.secret_key)
    return recent.answered_within(entries, code, window)


def _remember_answer(response, code: str) -> None:
    window = current_app.config["SURVEY_REPEAT_WINDOW_MINUTES"] * 60
    if window <= 0:
        return
    now = int(time.time())
    keep = max(window, recent.REPEAT_MEMORY_SECONDS)  # longer, for the repeat-browser flag
    entries = recent.read(request.cookies.get(recent.COOKIE), current_app.secret_key)
    entries = {c: t for c, t in entries.items() if now - t < keep} | {code: now}
    response.set_cookie(recent.COOKIE, recent.write(entries, current_app.secret_key),
                        max_age=keep, httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])


def _render(code: str, form_name: str, version, form, search: str, status: int):
    counter = db.session.scalar(db.select(Counter).where(Counter.survey_code == code))
    found = survey_targets.procedure_choices(counter.unit_id, search)
    form.procedure.choices = [("", form.procedure.choices[0][1])] + found
    if search and len(found) == 1 and not form.procedure.data:
        form.procedure.data = found[0][0]  # the one the citizen searched for; they can unpick it
    definition = version.definition
    token, new_cookie = survey_csrf.form_token()
    response = make_response(render_template(
        "public/survey.html", counter=counter, definition=definition, lang=str(get_locale()),
        form=form, questions=question_fields(form, definition), form_name=form_name,
        problems=problems(form, definition),
        search=search, found=len(found),
        full_questions=_full_form_size() if form_name == "quick" else 0,
        survey_csrf_token=token,
    ), status)
    if new_cookie:
        survey_csrf.set_cookie(response, new_cookie)
    return response


def _full_form_size() -> int:
    version = questionnaire_service.current(FORMS["full"])
    return len(version.definition["questions"]) if version else 0


def _survey(code: str, form_name: str):
    is_post = request.method == "POST"
    if is_post and (stored := _store_at_known_version(code, form_name)) is not None:
        return stored
    # The one-time link arrives as ?t= and travels on in a hidden field of the form.
    token = ((request.form.get("token") if is_post else request.args.get("t")) or "")[:64] or None
    found = _lookup_or_404(code, form_name, request.form.get("procedure") if is_post else None,
                           token)
    target = found.target
    version = questionnaire_service.current_version_read(FORMS[form_name], found.version_id,
                                                         found.version_checksum)
    key = request.form.get("idempotency_key", "") if is_post else ""
    if token and (state := token_state(token, target.counter_id)) != "valid":
        if is_post and _already_stored(key):
            return redirect(url_for("public.thanks", code=code))  # a retry after success
        return render_template("public/token_rejected.html", code=code, state=state), 410
    if not token and _answered_recently(code):
        if is_post and _already_stored(key):
            return redirect(url_for("public.thanks", code=code))  # a double tap, resent
        return render_template("public/already_answered.html", code=code,
                               counter_code=target.counter_code), 429
    if is_post and request.form.get("action") != "search":
        stored = _store_if_valid(target, version, token, found.procedure_id)
        if stored is not None:
            return stored
    return _show_form(code, form_name, version, token, found.procedure_id)


def _store_at_known_version(code: str, form_name: str):
    """The short way for a plain submission: no look-up, one statement that stores and checks.

    Taken when there is no one-time link and no recent answer, and the answers are valid for the
    version this process last read as current: ``record_at_counter`` stores them only if that
    version is still current, the counter active and the procedure one of its unit's. None
    otherwise, and ``_survey`` takes the long way, which tells every case apart.
    """
    posted = request.form
    version = questionnaire_service.last_seen_current(FORMS[form_name])
    if (version is None or "action" in posted or posted.get("token")  # a search, a link
            or _answered_recently(code)
            or (valid := _valid_submission(posted, version.definition)) is None):
        return None
    answers, comment, key = valid
    response_id = record_at_counter(code, FORMS[form_name], version.id, version.checksum,
                                    posted.get("procedure"), answers, key, comment)
    return None if response_id is None else _stored(response_id, True, code, answers)


def _valid_submission(posted, definition: dict):
    """``(answers, comment, idempotency key)`` of valid posted answers, or None.

    The WTForms form is built only to show a form again (with its errors): building it is most
    of the cost of a submission, and ``parse_answers`` is the one judge of answers either way.
    """
    answers, errors = parse_answers(
        definition, {q["code"]: posted.get(f"q_{q['code']}") for q in definition["questions"]})
    comment = posted.get("comment", "")
    if errors or len(comment) > COMMENT_MAX_LENGTH:
        return None
    key = posted.get("idempotency_key", "")
    return answers, comment, key if KEY_PATTERN.match(key) else secrets.token_urlsafe(18)


def _store_if_valid(target, version, token, procedure_id: int | None | bool):
    """Store a valid submission straight from the posted fields, or return None.

    ``procedure_id`` is the posted procedure as the look-up judged it (``SurveyLookup``).
    """
    valid = _valid_submission(request.form, version.definition)
    if valid is None or procedure_id is False:
        return None
    answers, comment, key = valid
    return _store(target, version.id, key, answers, procedure_id, comment, token)


def _show_form(code: str, form_name: str, version, token: str | None,
               procedure_id: int | None | bool):
    """The form for a GET, a procedure search, or a submission with errors (status 400).

    ``procedure_id`` is the look-up's verdict on the posted procedure (False: not the unit's).
    """
    is_post = request.method == "POST"
    form = build_survey_form(version, str(get_locale()), formdata=request.form if is_post else None)
    search = request.values.get("q", "").strip()[:100]
    status = 200
    if not is_post or not KEY_PATTERN.match(form.idempotency_key.data or ""):
        form.idempotency_key.data = secrets.token_urlsafe(18)
    form.token.data = token or ""
    if is_post and request.form.get("action") != "search":
        status = 400
        _explain_errors(form, version.definition, procedure_id)
    return _render(code, form_name, version, form, search, status)


def _explain_errors(form, definition: dict, procedure_id: int | None | bool) -> None:
    form.validate()
    errors = parse_answers(definition, raw_answers(form, definition))[1]
    for error in errors:
        field = form[f"q_{error.question}"]
        if not field.errors:  # "required" is already said by the field's own validator
            field.errors.append(error.message)
    if procedure_id is False:
        form.procedure.errors.append(_("Please choose a procedure from the list."))


def _already_stored(key: str | None) -> bool:
    return bool(key) and KEY_PATTERN.match(key) is not None and find_by_key(key) is not None


def _flag_repeat_browser(response_id: int, code: str) -> None:
    """Flag the response if this browser's cookie shows repeated answers (nothing is stored)."""
    entries = recent.read(request.cookies.get(recent.COOKIE), current_app.secret_key)
    if recent.is_repeat_browser(entries, code, time.time()):
        from survey.services.flags import flag_response

        flag_response(db.session, response_id, "repeat_browser")


def _store(target, version_id: int, key: str, answers, procedure_id, comment: str, token):
    try:
        response_id, created = record_response(Submission(
            version_id=version_id, unit_id=target.unit_id, counter_id=target.counter_id,
            officer_id=target.officer_id, answers=answers, idempotency_key=key,
            channel=Channel.QR, procedure_id=procedure_id, comment=comment, token=token,
        ))
    except TokenRejected:
        db.session.rollback()
        return render_template("public/token_rejected.html", code=target.code, state="used"), 410
    return _stored(response_id, created, target.code, answers)


def _stored(response_id: int, created: bool, code: str, answers: dict):
    """After storing: flag a repeat browser, commit, and send the browser to the thanks page."""
    if created and recent.COOKIE in request.cookies:
        _flag_repeat_browser(response_id, code)
    db.session.commit()
    low = answers.get("overall") in LOW_SCORES
    response = make_response(redirect(url_for("public.thanks", code=code,
                                              low=1 if low else None)))
    _remember_answer(response, code)
    return response


@bp.route("/s/<code>", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit(_client_limit, methods=["POST"])
@limiter.limit(_counter_limit, key_func=_counter_key, methods=["POST"])
def survey_quick(code: str):
    return _survey(code, "quick")


@bp.route("/s/<code>/full", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit(_client_limit, methods=["POST"])
@limiter.limit(_counter_limit, key_func=_counter_key, methods=["POST"])
def survey_full(code: str):
    return _survey(code, "full")


@bp.get("/s/<code>/thanks")
def thanks(code: str):
    counter = db.session.get(Counter, target_or_404(code).counter_id)
    return render_template("public/thanks.html", counter=counter,
                           low_score=request.args.get("low") == "1")


@bp.get("/")
def index():
    return render_template("public/index.html")
