"""Structured log lines (one JSON object each) that never carry personal data.

The request log keeps the method, the route's rule (not the concrete path, which could hold a
one-time token or a receipt code), the status and the time taken. No address, no query string.
"""

from __future__ import annotations

import json
import logging
import math
import sys
import time

from flask import Flask, g, request

REQUEST_LOGGER = "survey.request"
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)  # json.dumps would make one per line


class JsonFormatter(logging.Formatter):
    _second: tuple[int, str] = (0, "")  # the last second formatted, shared by the lines within it

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": self._timestamp(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return _ENCODER.encode(line)

    def _timestamp(self, created: float) -> str:
        """``datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")``, to the
        character, without building a datetime for each line (a request logs one)."""
        fraction, whole = math.modf(created)
        second, micro = int(whole), round(fraction * 1e6)
        if micro >= 1_000_000:
            second, micro = second + 1, micro - 1_000_000
        cached = self._second
        if cached[0] != second:
            cached = self._second = (second,
                                     time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
        return f"{cached[1]}.{micro // 1000:03d}+00:00"


_configured = False  # the "survey" logger is set up once per process, whatever the number of apps


def configure_logging(json_lines: bool) -> None:
    global _configured
    if _configured:
        return
    root = logging.getLogger("survey")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines
                         else logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    root.propagate = False
    _configured = True


def _start_timer() -> None:
    g.request_started = time.perf_counter()


def _log_request(response):
    started = g.pop("request_started", None)
    req = request._get_current_object()  # one context look-up, not one per field
    if started is None or req.endpoint == "static":
        return response
    logging.getLogger(REQUEST_LOGGER).info(
        "request",
        extra={
            "fields": {
                "method": req.method,
                "route": req.url_rule.rule if req.url_rule else "<unmatched>",
                "endpoint": req.endpoint,
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
