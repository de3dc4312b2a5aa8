"""Public survey URLs, built from ``SURVEY_BASE_URL`` so printed codes work outside a request."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app

from survey.models import Counter


def survey_url(counter: Counter, token: str | None = None) -> str:
    """The shortest URL that reaches the counter's survey: it keeps the QR code small."""
    url = f"{current_app.config['SURVEY_BASE_URL']}/s/{counter.survey_code}"
    return f"{url}?{urlencode({'t': token})}" if token else url
