"""Citizen pages: the counter survey reached from a QR code. No account, no JavaScript needed.

The rules of a submission (short way or long, one-time link, repeat window, double tap, the
repeat-browser flag) are ``survey.services.submission``'s: a view passes what was posted and what
the browser's cookie says, and maps the outcome to a page. Its CSRF check needs no session
(``survey.web.survey_csrf``). Rendering (GET, or a form with errors) loads what the page shows.
"""

from __future__ import annotations

import secrets
import time
from typing import Any, NoReturn

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
from survey.forms.base import add_error
from survey.forms.survey import build_survey_form, problems, question_fields
from survey.models import Counter
from survey.render.messages import text as message_text
from survey.services import questionnaires as questionnaire_service
from survey.services import submission, survey_targets
from survey.web import recent, survey_csrf

bp = Blueprint("public", __name__)

FORMS = {"quick": "quick", "full": "sipas"}
# The survey form's CSRF check is survey_csrf's, before any other work; CSRFProtect skips these.
SURVEY_ENDPOINTS = frozenset({"public.survey_quick", "public.survey_full"})


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


def target_or_404(code: str) -> survey_targets.Target:
    """The active counter with this code; a revoked or retired code gets the kind 410 page."""
    target = survey_targets.find(code)
    if target is None or not target.active:
        _refuse(target is not None or survey_targets.is_revoked(code))
    return target


def _refuse(gone: bool) -> NoReturn:
    """A revoked or retired code gets the kind 410 page; a code never issued, 404."""
    abort(410 if gone else 404)


def _survey(code: str, form_name: str):
    """Pass the request to the submission service and show the page its outcome calls for."""
    browser = _browser()
    if request.method == "POST":
        outcome = submission.submit(code, FORMS[form_name], request.form, browser)
    else:
        outcome = submission.open_form(code, FORMS[form_name], request.args.get("t"), browser)
    match outcome:
        case submission.Stored(low_score=low):
            db.session.commit()
            response = redirect(url_for("public.thanks", code=code, low=1 if low else None))
            return _remember_answer(response, code, browser)
        case submission.Duplicate():
            return redirect(url_for("public.thanks", code=code))
        case submission.TokenRefused(state=state):
            db.session.rollback()
            return render_template("public/token_rejected.html", code=code, state=state), 410
        case submission.RepeatRefused(counter_code=counter_code):
            return render_template("public/already_answered.html", code=code,
                                   counter_code=counter_code), 429
        case submission.Moved():
            return _follow_link(outcome, form_name)
        case submission.Refused(gone=gone):
            _refuse(gone)
    return _show_form(code, form_name, outcome)


def _browser() -> submission.Browser:
    """What this browser's signed cookie says it answered (read only if it sent one)."""
    cookie = request.cookies.get(recent.COOKIE)
    answered = recent.read(cookie, _cookie_secret()) if cookie else {}
    return submission.Browser(answered, current_app.config["SURVEY_REPEAT_WINDOW_MINUTES"] * 60,
                              time.time())


def _cookie_secret() -> str | bytes:
    secret = current_app.secret_key
    if secret is None:  # create_app always sets one (survey.config); a bare Flask app may not
        raise RuntimeError("SECRET_KEY is not set: the answered-counters cookie cannot be signed")
    return secret


def _remember_answer(response, code: str, browser: submission.Browser):
    """Note the answer in the browser's cookie (kept longer than the window, for the flag)."""
    if browser.window_seconds <= 0:
        return response
    now = int(browser.now)
    keep = max(browser.window_seconds, recent.REPEAT_MEMORY_SECONDS)
    entries = {c: t for c, t in browser.answered.items() if now - t < keep} | {code: now}
    response.set_cookie(recent.COOKIE, recent.write(entries, _cookie_secret()),
                        max_age=keep, httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def _follow_link(moved: submission.Moved, form_name: str):
    """Send a one-time link issued under a code since replaced on to the counter's new code.

    A link belongs to a dossier, not to the poster: a new code for the poster must not break the
    links already handed out. A form opened before the change keeps its answers (307).
    """
    endpoint = f"public.survey_{form_name}"
    if request.method == "POST":
        return redirect(url_for(endpoint, code=moved.code), code=307)
    # Typed Any: mypy matches a dict[str, str] against url_for's own _external (a bool) too.
    query: dict[str, Any] = {**request.args.to_dict(), "t": moved.token}
    return redirect(url_for(endpoint, code=moved.code, **query))


def _show_form(code: str, form_name: str, outcome: submission.FormOutcome):
    """The form for a GET, a procedure search, or a submission with errors (status 400)."""
    is_post = request.method == "POST"
    form = build_survey_form(outcome.version, str(get_locale()),
                             formdata=request.form if is_post else None)
    if not is_post or not submission.KEY_PATTERN.match(form.idempotency_key.data or ""):
        form.idempotency_key.data = secrets.token_urlsafe(18)
    form.token.data = outcome.token or ""
    status = 200
    if isinstance(outcome, submission.Invalid):
        status = 400
        _explain_errors(form, outcome)
    return _render(code, form_name, outcome.version, form, status)


def _explain_errors(form, invalid: submission.Invalid) -> None:
    form.validate()
    for error in invalid.errors:
        field = form[f"q_{error.question}"]
        if not field.errors:  # "required" is already said by the field's own validator
            add_error(field, str(message_text(error.message)))
    if invalid.procedure_id is False:
        add_error(form.procedure, _("Please choose a procedure from the list."))


def _render(code: str, form_name: str, version, form, status: int):
    search = request.values.get("q", "").strip()[:100]
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
    return len(version.definition.questions) if version else 0


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
