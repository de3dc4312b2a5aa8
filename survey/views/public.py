"""Citizen pages: the counter survey reached from a QR code. No account, no JavaScript needed."""

from __future__ import annotations

import re
import secrets
import time

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from sqlalchemy import or_, select

from survey.answers import parse_answers
from survey.extensions import db, limiter
from survey.forms.survey import build_survey_form, question_fields, raw_answers
from survey.models import Counter, Procedure, RevokedSurveyCode, Unit
from survey.models.responses import Channel
from survey.services.questionnaires import current_version
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


def get_counter_or_404(code: str) -> Counter:
    """The active counter with this survey code; a revoked code gets the 'moved' page (410)."""
    counter = db.session.scalar(select(Counter).where(Counter.survey_code == code))
    if counter is not None and counter.active:
        return counter
    if counter is not None or db.session.get(RevokedSurveyCode, code) is not None:
        abort(410)
    abort(404)


def _already_stored(key: str | None) -> bool:
    return bool(key) and KEY_PATTERN.match(key) is not None and find_by_key(key) is not None


def _recently_answered(code: str) -> bool:
    answered_at = session.get("recent", {}).get(code)
    window = current_app.config["SURVEY_REPEAT_WINDOW_MINUTES"] * 60
    return answered_at is not None and time.time() - answered_at < window


def _remember_answer(code: str) -> None:
    window = current_app.config["SURVEY_REPEAT_WINDOW_MINUTES"] * 60
    now = time.time()
    recent = {c: t for c, t in session.get("recent", {}).items() if now - t < window}
    recent[code] = now
    session["recent"] = recent


def _procedure_choices(unit: Unit, search: str) -> list[tuple[str, str]]:
    query = (select(Procedure).join(Unit.procedures).where(Unit.id == unit.id)
             .order_by(Procedure.field, Procedure.name))
    if search:
        like = f"%{search}%"
        query = query.where(or_(Procedure.name.ilike(like), Procedure.code.ilike(like),
                                Procedure.field.ilike(like)))
    return [(p.code, p.name) for p in db.session.scalars(query)]


def _survey(code: str, form_name: str):
    counter = get_counter_or_404(code)
    version = current_version(FORMS[form_name])
    if version is None:
        abort(404)
    definition = version.definition
    lang = str(get_locale())
    search = request.values.get("q", "").strip()[:100]
    form = build_survey_form(definition, lang, _procedure_choices(counter.unit, search))
    if request.method == "GET":
        form.idempotency_key.data = secrets.token_urlsafe(18)
        form.token.data = request.args.get("t", "")[:64]
    elif _already_stored(form.idempotency_key.data):
        return redirect(url_for("public.thanks", code=code))  # a double tap or a retry
    token = form.token.data or None
    if token and (state := token_state(token, counter)) != "valid":
        return render_template("public/token_rejected.html", counter=counter, state=state), 410
    if not token and _recently_answered(code):
        return render_template("public/already_answered.html", counter=counter), 429
    if form.validate_on_submit():
        answers, errors = parse_answers(definition, raw_answers(form, definition))
        for error in errors:
            form[f"q_{error.question}"].errors.append(error.message)
        if not errors:
            return _store(counter, version, form, answers, token)
    elif request.method == "POST" and not KEY_PATTERN.match(form.idempotency_key.data or ""):
        form.idempotency_key.data = secrets.token_urlsafe(18)
    return render_template(
        "public/survey.html", counter=counter, definition=definition, lang=lang, form=form,
        questions=question_fields(form, definition), form_name=form_name, search=search,
        full_questions=_full_form_size() if form_name == "quick" else 0,
    ), (400 if request.method == "POST" else 200)


def _full_form_size() -> int:
    version = current_version(FORMS["full"])
    return len(version.definition["questions"]) if version else 0


def _store(counter, version, form, answers, token):
    procedure = None
    if form.procedure.data:
        procedure = db.session.scalar(select(Procedure).where(Procedure.code == form.procedure.data))
    key = form.idempotency_key.data
    if not KEY_PATTERN.match(key or ""):
        key = secrets.token_urlsafe(18)
    try:
        record_response(Submission(
            version=version, unit_id=counter.unit_id, counter=counter, answers=answers,
            idempotency_key=key, channel=Channel.QR, procedure=procedure,
            comment=form.comment.data, token=token,
        ))
    except TokenRejected:
        db.session.rollback()
        return render_template("public/token_rejected.html", counter=counter, state="used"), 410
    db.session.commit()
    _remember_answer(counter.survey_code)
    session["low_score"] = answers.get("overall") in LOW_SCORES
    return redirect(url_for("public.thanks", code=counter.survey_code))


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
    counter = get_counter_or_404(code)
    low = bool(session.get("low_score"))
    return render_template("public/thanks.html", counter=counter, low_score=low)


@bp.get("/")
def index():
    return render_template("public/index.html")
