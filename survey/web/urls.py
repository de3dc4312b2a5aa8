"""Absolute URLs on ``SURVEY_BASE_URL``, so printed codes and mailed links work outside a request.

Built from the routes (like ``url_for(..., _external=True)``), never from hard-coded paths. The
host is always the configured base, not the request's: a link in a mail or on a poster must not
depend on the Host header of whoever caused it, and outside a request (the escalation command,
the demo) ``url_for`` would need a ``SERVER_NAME`` that would also restrict the hosts served.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app

from survey.models import Counter


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of ``endpoint`` under SURVEY_BASE_URL; extra values become the query."""
    base = urlsplit(current_app.config["SURVEY_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme)
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


def survey_url(counter: Counter, token: str | None = None) -> str:
    """The shortest URL that reaches the counter's survey: it keeps the QR code small."""
    query = {"t": token} if token else {}
    return external_url("public.survey_quick", code=counter.survey_code, **query)


def track_url() -> str:
    """The tracking page, where a citizen reads their case with the receipt code."""
    return external_url("cases.track")
