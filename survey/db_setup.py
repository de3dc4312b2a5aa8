"""Per-connection database settings."""

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
    "PRAGMA synchronous=NORMAL",
)


def ensure_sqlite_directory(engine: Engine) -> None:
    """Create the folder of a SQLite file (instance/ on a fresh clone); SQLite will not."""
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)


def configure_engine_events(engine: Engine) -> None:
    """Set WAL, foreign keys and a busy timeout on every SQLite connection."""
    if engine.dialect.name != "sqlite" or getattr(engine, "_survey_configured", False):
        return

    @event.listens_for(engine, "connect")
    def _set_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    engine._survey_configured = True
