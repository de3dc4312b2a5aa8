"""The baseline for benchmarks/submit.py: bare Flask + Flask-SQLAlchemy, one INSERT per POST.

It reads the same form fields the survey posts, stores one row (with a unique idempotency key,
like ``responses``), commits and answers 302, nothing else: no CSRF, no session, no templates, no
logging, default engine options. On SQLite it sets the same connection PRAGMAs as the survey
(WAL, synchronous=NORMAL, busy timeout, foreign keys), so both pay the same price per commit.

Served by gunicorn as ``bare_app:create_app()`` with ``BARE_DATABASE_URL`` set.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from flask import Flask, redirect, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, SmallInteger, String, Text, create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column

from survey.config import normalise_database_url
from survey.db_setup import configure_engine_events

db = SQLAlchemy()


class BareResponse(db.Model):
    __tablename__ = "bare_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    counter_code: Mapped[str] = mapped_column(String(16))
    overall: Mapped[int] = mapped_column(SmallInteger)
    attitude: Mapped[int | None] = mapped_column(SmallInteger)
    procedure: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def engine_for(url: str) -> Engine:
    """A plain engine on ``url`` with the survey's SQLite PRAGMAs (used to create the table)."""
    engine = create_engine(normalise_database_url(url))
    configure_engine_events(engine)
    return engine


def init_db(url: str) -> None:
    """Create (or empty) the ``bare_responses`` table."""
    engine = engine_for(url)
    try:
        BareResponse.__table__.drop(engine, checkfirst=True)
        BareResponse.__table__.create(engine)
    finally:
        engine.dispose()


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value else None


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(os.environ["BARE_DATABASE_URL"])
    db.init_app(app)
    with app.app_context():
        configure_engine_events(db.engine)

    @app.get("/")
    def index():
        return "ok"

    @app.post("/s/<code>")
    def submit(code: str):
        form = request.form
        db.session.add(BareResponse(
            counter_code=code[:16],
            overall=int(form["q_overall"]),
            attitude=_int_or_none(form.get("q_attitude")),
            procedure=form.get("procedure") or None,
            comment=form.get("comment") or None,
            idempotency_key=form["idempotency_key"],
            submitted_at=datetime.now(UTC),
        ))
        db.session.commit()
        return redirect(f"/s/{code}/thanks")

    return app
