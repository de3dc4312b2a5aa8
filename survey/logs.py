"""Structured log lines (one JSON object each) that never carry personal data.

The request log keeps the method, the route's rule (not the concrete path, which could hold a
one-time token or a receipt code), the status and the time taken. No address, no query string.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime

from flask import Flask, g, request

REQUEST_LOGGER = "survey.request"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(json_lines: bool) -> None:
    root = logging.getLogger("survey")
    if getattr(root, "_survey_configured", False):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    root.propagate = False
    root._survey_configured = True


def _start_timer() -> None:
    g.request_started = time.perf_counter()


def _log_request(response):
    started = g.pop("request_started", None)
    if started is None or request.endpoint == "static":
        return response
    logging.getLogger(REQUEST_LOGGER).info(
        "request",
        extra={
            "fields": {
                "method": request.method,
                "route": request.url_rule.rule if request.url_rule else "<unmatched>",
                "endpoint": request.endpoint,
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            }
        },
    )
    return response


def init_app(app: Flask) -> None:
    configure_logging(app.config.get("SURVEY_LOG_JSON", True))
    if not app.testing:
        app.before_request(_start_timer)
        app.after_request(_log_request)
