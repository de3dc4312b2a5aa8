"""Fixtures shared by every test: an app on a real database (SQLite file or PostgreSQL).

Set ``TEST_DATABASE_URL`` to a PostgreSQL URL to run the whole suite there. The schema is built
once per session by the migrations themselves; each test then starts from empty tables.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy import text

from survey import create_app
from survey.config import Config
from survey.extensions import db as _db


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def make_config(url: str, **overrides) -> Config:
    config = Config.from_env({"DATABASE_URL": url, "SURVEY_ENV": "testing",
                              "SURVEY_BASE_URL": "http://survey.test", "SURVEY_LOG_JSON": "1",
                              "SURVEY_PASSWORD_PROFILE": "CHEAPEST"})
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return _database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def _schema(database_url):
    """Build the schema with the migrations (not create_all), so they are exercised too."""
    from flask_migrate import downgrade, upgrade

    app = create_app(make_config(database_url))
    with app.app_context():
        _reset_schema()
        upgrade()
    yield
    with app.app_context():
        downgrade(revision="base")
        _db.engine.dispose()


def _reset_schema() -> None:
    if _db.engine.dialect.name == "postgresql":
        with _db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        _db.drop_all()
        with _db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _empty_tables() -> None:
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    with _db.engine.begin() as conn:
        if _db.engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))


class IsolatedClient(FlaskClient):
    """Serve each request in its own app context, as a real server does.

    Without this, a request would reuse the test's app context and share its ``g`` (cached
    locale, database session) with the test and with earlier requests.
    """

    def open(self, *args, **kwargs):
        hidden = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(hidden)


@pytest.fixture
def app_factory(database_url, _schema, tmp_path_factory):
    """Make an app with settings overridden for one test."""
    made = []

    attachments = tmp_path_factory.mktemp("attachments")

    def factory(flask_overrides: dict | None = None, **config_overrides):
        config_overrides.setdefault("attachment_dir", str(attachments))
        app = create_app(make_config(database_url, **config_overrides))
        app.config.update(TESTING=True, **(flask_overrides or {}))
        app.test_client_class = IsolatedClient
        made.append(app)
        return app

    yield factory
    for app in made:
        with app.app_context():
            _db.session.remove()


@pytest.fixture
def app(app_factory):
    app = app_factory()
    with app.app_context():
        _empty_tables()
        yield app
        _db.session.remove()
        _empty_tables()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def demo(app):
    """The demo organisation with the built-in questionnaires (without its sample cases)."""
    from survey.services.demo import build_organisation

    logins = build_organisation(with_cases=False)
    _db.session.commit()
    return {login.username: login for login in logins}


CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF_PATTERN.search(html) or re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client, username: str, password: str | None = None):
    page = client.get("/login")
    return client.post("/login", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "username": username, "password": password or f"{username}-demo-2026",
    })


PROJECT_ROOT = Path(__file__).resolve().parent.parent

KEY_PATTERN = re.compile(r'name="idempotency_key" type="hidden" value="([^"]*)"')


def form_fields(html: str) -> dict[str, str]:
    """The hidden fields a browser would send back with the survey form."""
    key = KEY_PATTERN.search(html)
    token = re.search(r'id="token" name="token" type="hidden" value="([^"]*)"', html)
    return {"csrf_token": csrf_token(html), "idempotency_key": key.group(1) if key else "",
            "token": token.group(1) if token else ""}


def submit_survey(client, path: str, answers: dict[str, str], **extra):
    """Open the form at ``path`` like a browser, then post ``answers`` with its hidden fields."""
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    data = form_fields(page.get_data(as_text=True))
    data.update({f"q_{code}": value for code, value in answers.items()})
    data.update(extra)
    return client.post(path.split("?")[0], data=data)


def first_counter(db):
    """The provincial centre's first counter in the demo (NB-Q01)."""
    from sqlalchemy import select

    from survey.models import Counter

    return db.session.scalars(select(Counter).where(Counter.code == "NB-Q01")).one()
