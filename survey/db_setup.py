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
    """Set WAL, foreign keys and a busy timeout on every SQLite connection.

    The folder of the SQLite file is created just before the first connection, not when the
    app is built: ``create_app`` does no I/O, and a command that never touches the database
    (``survey --help``) creates nothing.
    """
    if engine.dialect.name != "sqlite" or getattr(engine, "_survey_configured", False):
        return

    @event.listens_for(engine, "do_connect")
    def _make_folder(_dialect, _record, _cargs, _cparams):
        ensure_sqlite_directory(engine)
        # None: SQLAlchemy then opens the connection itself, as without this hook.

    @event.listens_for(engine, "connect")
    def _set_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    engine._survey_configured = True
