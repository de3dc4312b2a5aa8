"""End-to-end fixtures: the real app served over HTTP, and Debian's Chromium driven by Playwright.

The app runs in a background thread on 127.0.0.1 with a free port, on the session's test database
(SQLite file, or ``TEST_DATABASE_URL``) built by the migrations, with the demo organisation loaded.
Each test gets its own fresh counter, so tests never see each other's answers, and its own browser
context (cookies, session, language), so each one is a new visitor.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

from survey import create_app
from survey.extensions import db
from tests.conftest import _empty_tables, make_config

CHROMIUM = "/usr/bin/chromium"  # Debian's package: never a browser downloaded by Playwright
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync"]
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
DEMO_UNIT = "NB-TTHCC"  # the demo province's service centre
ADMIN = ("admin", "admin-demo-2026")


@dataclass
class LiveServer:
    url: str
    app: Flask
    database_url: str

    def app_context(self) -> AbstractContextManager:
        return self.app.app_context()

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        """Run the real ``survey`` console script against this server's database and URL."""
        env = {**os.environ, "DATABASE_URL": self.database_url, "SURVEY_BASE_URL": self.url,
               "SURVEY_ENV": "testing", "SURVEY_LOG_JSON": "1"}
        result = subprocess.run([_survey_script(), *args], env=env,  # noqa: S603 - our own CLI
                                capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, f"survey {' '.join(args)} failed:\n{result.stderr}"
        return result


@dataclass(frozen=True)
class CounterInfo:
    """A counter's identifiers, detached from any database session."""

    id: int
    code: str
    name: str
    survey_code: str


def _survey_script() -> str:
    beside_python = Path(sys.executable).parent / "survey"
    return str(beside_python) if beside_python.exists() else shutil.which("survey") or "survey"


@pytest.fixture(scope="session")
def live_server(database_url, _schema) -> Iterator[LiveServer]:
    # Rate limits stay on, but loose enough for a whole suite posting from one address.
    app = create_app(make_config(database_url, rate_limit_client="1000 per minute",
                                 rate_limit_login="1000 per minute"))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["SURVEY_BASE_URL"] = url  # what the QR codes encode
    with app.app_context():
        from survey.services.demo import build_organisation

        build_organisation()
        db.session.commit()
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(url=url, app=app, database_url=database_url)
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    with app.app_context():
        db.session.remove()
        _empty_tables()  # as the other tests leave it, so the schema fixture can downgrade
        db.engine.dispose()


_counter_numbers = itertools.count(1)


@pytest.fixture
def counter(live_server) -> CounterInfo:
    """A new counter of the demo service centre, with no answers yet."""
    from survey.models import Unit
    from survey.services.org import save_counter

    number = next(_counter_numbers)
    with live_server.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.code == DEMO_UNIT))
        made = save_counter(None, unit=unit, code=f"NB-E2E-{number:02d}",
                            name=f"Quầy thử nghiệm {number:02d} – Kiểm thử trình duyệt")
        info = CounterInfo(made.id, made.code, made.name, made.survey_code)
        db.session.commit()
    return info


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        # launch() gives every run a new, empty user data dir of its own.
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                              headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser) -> Iterator[Callable[..., BrowserContext]]:
    """Open fresh browser contexts (a phone by default); all are closed after the test."""
    opened: list[BrowserContext] = []

    def open_context(**options) -> BrowserContext:
        context = browser.new_context(**{**PHONE, "locale": "vi-VN", **options})
        context.set_default_timeout(10_000)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


@pytest.fixture
def phone(new_context) -> Page:
    """A page in a new 360 px wide phone browser: a citizen who just scanned a code."""
    return new_context().new_page()
