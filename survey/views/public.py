"""Citizen pages: the counter survey reached from a QR code. No account, no JavaScript needed.

A submission is the busiest request of the platform, so its path is lean: one query for the
counter, one for the questionnaire version (the definition itself is cached by checksum), the
insert, and a redirect. Rendering (GET, or a form with errors) loads what the page shows.
"""

from __future__ import annotations

import re
import secrets
import time

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

from survey import recent
from survey.answers import COMMENT_MAX_LENGTH, parse_answers
from survey.extensions import db, limiter
from survey.forms.survey import build_survey_form, question_fields, raw_answers
from survey.models import Channel, Counter
from survey.services import questionnaires as questionnaire_service
from survey.services import survey_targets
from survey.services.responses import Submission, TokenRejected, find_by_key, record_response
from survey.services.tokens import token_state

bp = Blueprint("public", __name__)

FORMS = {"quick": "quick", "full": "sipas"}
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
LOW_SCORES = {1, 2}


def _client_limit() -> str:
    return current_app.config["SURVEY_RATE_LIMIT_CLIENT"]


def _counter_limit() -> str:
    return current_app.config["SURVEY_RATE_LIMIT_COUNTER"]


def _counter_key() -> str:
    return "counter:" + (request.view_args or {}).get("code", "")


def target_or_404(code: str) -> survey_targets.Target:
    """The active counter with this code; a revoked or retired code gets the kind 410 page."""
    target = survey_targets.find(code)
    if target is not None and target.active:
        return target
    if target is not None or survey_targets.is_revoked(code):
        abort(410)
    abort(404)


def _answered_recently(code: str) -> bool:
    entries = recent.read(request.cookies.get(recent.COOKIE), current_app.secret_key)
    window = current_app.config["SURVEY_REPEAT_WINDOW_MINUTES"] * 60
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
    form.procedure.choices = [("", form.procedure.choices[0][1])] + \
        survey_targets.procedure_choices(counter.unit_id, search)
    definition = version.definition
    return render_template(
        "public/survey.html", counter=counter, definition=definition, lang=str(get_locale()),
        form=form, questions=question_fields(form, definition), form_name=form_name,
        search=search, full_questions=_full_form_size() if form_name == "quick" else 0,
    ), status


def _full_form_size() -> int:
    version = questionnaire_service.current(FORMS["full"])
    return len(version.definition["questions"]) if version else 0


def _survey(code: str, form_name: str):
    target = target_or_404(code)
    version = questionnaire_service.current(FORMS[form_name])
    if version is None:
        abort(404)
    is_post = request.method == "POST"
    key = request.form.get("idempotency_key", "") if is_post else ""
    # The one-time link arrives as ?t= and travels on in a hidden field of the form.
    token = ((request.form.get("token") if is_post else request.args.get("t")) or "")[:64] or None
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
        stored = _store_if_valid(target, version, token)
        if stored is not None:
            return stored
    return _show_form(code, form_name, version, token)


def _store_if_valid(target, version, token):
    """Store a valid submission straight from the posted fields, or return None.

    The WTForms form is built only to show a form again (with its errors): building it is most
    of the cost of a submission, and ``parse_answers`` is the one judge of answers either way.
    """
    posted = request.form
    definition = version.definition
    answers, errors = parse_answers(
        definition, {q["code"]: posted.get(f"q_{q['code']}") for q in definition["questions"]})
    comment = posted.get("comment", "")
    if errors or len(comment) > COMMENT_MAX_LENGTH:
        return None
    procedure_id = survey_targets.procedure_id(target.unit_id, posted.get("procedure"))
    if procedure_id is False:
        return None
    key = posted.get("idempotency_key", "")
    return _store(target, version.id, key if KEY_PATTERN.match(key) else secrets.token_urlsafe(18),
                  answers, procedure_id, comment, token)


def _show_form(code: str, form_name: str, version, token: str | None):
    """The form for a GET, a procedure search, or a submission with errors (status 400)."""
    is_post = request.method == "POST"
    form = build_survey_form(version, str(get_locale()), formdata=request.form if is_post else None)
    search = request.values.get("q", "").strip()[:100]
    status = 200
    if not is_post or not KEY_PATTERN.match(form.idempotency_key.data or ""):
        form.idempotency_key.data = secrets.token_urlsafe(18)
    form.token.data = token or ""
    if is_post and request.form.get("action") != "search":
        status = 400
        _explain_errors(form, version.definition, survey_targets.find(code).unit_id)
    return _render(code, form_name, version, form, search, status)


def _explain_errors(form, definition: dict, unit_id: int) -> None:
    form.validate()
    errors = parse_answers(definition, raw_answers(form, definition))[1]
    for error in errors:
        field = form[f"q_{error.question}"]
        if not field.errors:  # "required" is already said by the field's own validator
            field.errors.append(error.message)
    if survey_targets.procedure_id(unit_id, form.procedure.data) is False:
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
    if created and request.cookies.get(recent.COOKIE):
        _flag_repeat_browser(response_id, target.code)
    db.session.commit()
    low = answers.get("overall") in LOW_SCORES
    response = make_response(redirect(url_for("public.thanks", code=target.code,
                                              low=1 if low else None)))
    _remember_answer(response, target.code)
    return response


@bp.route("/s/<code>", methods=["GET", "POST"])
@limiter.limit(_client_limit, methods=["POST"])
@limiter.limit(_counter_limit, key_func=_counter_key, methods=["POST"])
def survey_quick(code: str):
    return _survey(code, "quick")


@bp.route("/s/<code>/full", methods=["GET", "POST"])
@limiter.limit(_client_limit, methods=["POST"])
@limiter.limit(_counter_limit, key_func=_counter_key, methods=["POST"])
def survey_full(code: str):
    return _survey(code, "full")


@bp.get("/s/<code>/thanks")
def thanks(code: str):
    target_or_404(code)
    counter = db.session.get(Counter, survey_targets.find(code).counter_id)
    return render_template("public/thanks.html", counter=counter,
                           low_score=request.args.get("low") == "1")


@bp.get("/")
def index():
    return render_template("public/index.html")
