"""Locale choice and locale-aware formatting for templates."""

from __future__ import annotations

import os
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, g, has_request_context, request
from flask_babel import format_date, format_datetime, format_decimal, format_percent, get_locale

from survey.extensions import babel

LANGUAGES = ("vi", "en")
LANG_COOKIE = "lang"
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def select_locale() -> str:
    """``?lang=`` first (and remembered by a cookie set after the request), then the cookie.

    Outside a request (the command line) ``SURVEY_LANG`` chooses, Vietnamese by default.
    """
    if not has_request_context():
        lang = os.environ.get("SURVEY_LANG", "vi")
        return lang if lang in LANGUAGES else "vi"
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        g.remember_lang = asked
        return asked
    saved = request.cookies.get(LANG_COOKIE)
    if saved in LANGUAGES:
        return saved
    return "vi"


def _remember_lang(response):
    lang = g.get("remember_lang")
    if lang and request.cookies.get(LANG_COOKIE) != lang:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True)
    return response


def percent(value: float | None, digits: int = 2) -> str:
    """Format a 0-100 percentage the locale's way (88,29% in Vietnamese)."""
    if value is None:
        return "–"
    return format_percent(value / 100, format="#,##0." + "0" * digits + "%") if digits else \
        format_percent(value / 100)


# CLDR's "short" forms give "18/1/27" in Vietnamese and "1/18/27" in English: a two-digit year,
# and an order a reader of the other language gets backwards. Vietnamese writes dd/mm/yyyy (as
# official documents do); English gets the month in words, so it cannot be misread.
DATE_FORMATS = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy"}
DATETIME_FORMATS = {"vi": "dd/MM/yyyy HH:mm", "en": "d MMM yyyy, HH:mm"}


def _pattern(formats: dict[str, str]) -> str:
    return formats.get(str(get_locale()), formats["vi"])


def local_datetime(value: datetime | None) -> str:
    """A moment in Vietnam's time, to the minute: "18/01/2027 14:05" or "18 Jan 2027, 14:05"."""
    if value is None:
        return ""
    return format_datetime(value.astimezone(LOCAL_TZ), _pattern(DATETIME_FORMATS))


def local_date(value) -> str:
    """A day: "18/01/2027" or "18 Jan 2027"."""
    if value is None:
        return ""
    if isinstance(value, datetime):  # a stored UTC moment: its day in Vietnam
        value = value.astimezone(LOCAL_TZ).date()
    return format_date(value, _pattern(DATE_FORMATS))


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: "Asia/Ho_Chi_Minh")
    app.after_request(_remember_lang)
    app.jinja_env.filters.update(
        percent=percent,
        number=format_decimal,
        local_datetime=local_datetime,
        local_date=local_date,
    )
    app.jinja_env.globals.update(get_locale=get_locale, LANGUAGES=LANGUAGES)
    app.jinja_env.add_extension("jinja2.ext.i18n")
