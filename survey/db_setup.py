"""Per-connection database settings."""

import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
    "PRAGMA synchronous=NORMAL",
)


# Engines that have their listeners already (create_app may run many times on one engine's URL).
_CONFIGURED: weakref.WeakSet[Engine] = weakref.WeakSet()


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
    if engine.dialect.name != "sqlite" or engine in _CONFIGURED:
        return

    @event.listens_for(engine, "do_connect")
    def _make_folder(_dialect: Any, _record: Any, _cargs: Any, _cparams: Any) -> None:
        ensure_sqlite_directory(engine)
        # None: SQLAlchemy then opens the connection itself, as without this hook.

    @event.listens_for(engine, "connect")
    def _set_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    _CONFIGURED.add(engine)
