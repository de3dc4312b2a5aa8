"""The platform underneath: configuration, database settings, migrations, health, logs, limits."""

import json
import logging
import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from survey import create_app
from survey.config import Config, ConfigError, normalise_database_url
from survey.extensions import db as _db
from survey.web.logs import JsonFormatter
from tests.conftest import first_counter, make_config, submit_survey


def test_production_refuses_to_start_without_a_secret_key():
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(Config.from_env({"SURVEY_ENV": "production"}))


def test_production_starts_with_a_secret_key(database_url):
    from cryptography.fernet import Fernet

    app = create_app(Config.from_env({"SURVEY_ENV": "production", "SECRET_KEY": "s" * 40,
                                      "SURVEY_IDENTITY_KEY": Fernet.generate_key().decode(),
                                      "DATABASE_URL": database_url}))
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_production_refuses_to_start_without_an_identity_key():
    with pytest.raises(ConfigError, match="SURVEY_IDENTITY_KEY"):
        create_app(Config.from_env({"SURVEY_ENV": "production", "SECRET_KEY": "s" * 40}))


def test_postgresql_urls_use_psycopg_3():
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    app = create_app(make_config(f"sqlite:///{tmp_path / 'p.db'}"))
    with app.app_context(), _db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_migrated_schema_equals_the_models(app):
    with _db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                _db.metadata)
    assert diff == []


def test_healthz_answers_ok_when_the_database_answers(client):
    reply = client.get("/healthz")
    assert reply.status_code == 200 and reply.get_json() == {"status": "ok"}


def test_healthz_answers_503_when_the_database_does_not(tmp_path):
    app = create_app(make_config("postgresql://nobody@127.0.0.1:9/none"))
    reply = app.test_client().get("/healthz")
    assert reply.status_code == 503 and reply.get_json()["status"] != "ok"


def test_request_logs_are_json_lines_without_tokens_addresses_or_comments(app_factory, demo, db,
                                                                          caplog):
    app = app_factory()
    app.testing = False  # the request log is off in tests; switch it on for this one
    from survey.web import logs

    app.before_request(logs._start_timer)
    app.after_request(logs._log_request)
    from survey.services.tokens import issue_tokens

    counter = first_counter(db)
    [token] = issue_tokens(counter)
    db.session.commit()
    caplog.set_level(logging.INFO, logger="survey.request")
    reply = submit_survey(app.test_client(), f"/s/{counter.survey_code}?t={token}",
                          {"overall": "5"}, comment="Số điện thoại tôi 0912345678")
    assert reply.status_code == 302
    lines = [JsonFormatter().format(r) for r in caplog.records if r.name == "survey.request"]
    assert [json.loads(line)["status"] for line in lines] == [200, 302]
    for line in lines:
        assert json.loads(line)["route"] == "/s/<code>"
        assert token not in line and counter.survey_code not in line
        assert "127.0.0.1" not in line and "0912345678" not in line


def test_rate_limit_per_client_shows_a_friendly_page(app_factory, demo, db):
    app = app_factory(rate_limit_client="2 per minute", repeat_window_minutes=0)
    client = app.test_client()
    code = first_counter(db).survey_code
    statuses = [submit_survey(client, f"/s/{code}", {"overall": "4"}).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    page = submit_survey(client, f"/s/{code}", {"overall": "4"})
    assert page.status_code == 429 and "<h1>" in page.get_data(as_text=True)


def test_rate_limit_per_counter_counts_every_client(app_factory, demo, db):
    app = app_factory(rate_limit_counter="3 per minute", repeat_window_minutes=0)
    code = first_counter(db).survey_code
    statuses = [submit_survey(app.test_client(), f"/s/{code}", {"overall": "4"},
                              ).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]


REDIS_URL = os.environ.get("REDIS_URL_TEST", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_storage():
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.fail(f"Redis is not answering at {REDIS_URL}: the rate-limit tests need it")
    connection.flushdb()
    yield REDIS_URL
    connection.flushdb()


def test_rate_limits_are_shared_by_processes_through_redis(app_factory, demo, db, redis_storage):
    # Two app instances stand for two server processes: the counter limit is shared.
    first = app_factory(redis_url=redis_storage, rate_limit_counter="2 per minute",
                        repeat_window_minutes=0)
    second = app_factory(redis_url=redis_storage, rate_limit_counter="2 per minute",
                         repeat_window_minutes=0)
    code = first_counter(db).survey_code
    assert submit_survey(first.test_client(), f"/s/{code}", {"overall": "5"}).status_code == 302
    assert submit_survey(second.test_client(), f"/s/{code}", {"overall": "5"}).status_code == 302
    assert submit_survey(first.test_client(), f"/s/{code}", {"overall": "5"}).status_code == 429
    assert submit_survey(second.test_client(), f"/s/{code}", {"overall": "5"}).status_code == 429


def test_behind_a_proxy_each_citizen_has_their_own_rate_limit(app_factory, demo, db):
    app = app_factory(proxy_count=1, rate_limit_client="1 per minute", repeat_window_minutes=0)
    code = first_counter(db).survey_code

    def post_from(address: str) -> int:
        client = app.test_client()
        client.environ_base["HTTP_X_FORWARDED_FOR"] = address
        return submit_survey(client, f"/s/{code}", {"overall": "5"}).status_code

    assert [post_from("203.0.113.1"), post_from("203.0.113.2"), post_from("203.0.113.1")] == \
        [302, 302, 429]


def test_migrations_downgrade_and_upgrade_again_with_data_in_place(app, demo, db, database_url):
    from flask_migrate import downgrade, upgrade

    from survey.models import Unit

    db.session.commit()
    db.session.remove()
    downgrade(revision="0001")
    upgrade()
    assert db.session.scalar(db.select(db.func.count(Unit.id))) > 0


def test_a_fresh_checkout_creates_the_folder_of_its_sqlite_database(tmp_path):
    target = tmp_path / "not-yet" / "instance" / "survey.db"
    app = create_app(make_config(f"sqlite:///{target}"))
    assert not target.parent.exists()  # create_app does no I/O: the first connection creates it
    with app.app_context(), _db.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert target.parent.is_dir()
