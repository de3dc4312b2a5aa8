"""The models' base class, and column helpers they share."""

import enum
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import DateTime, Enum
from sqlalchemy.types import TypeDecorator

from survey.extensions import db

if TYPE_CHECKING:
    from typing import ClassVar

    from flask_sqlalchemy.model import Model as QueryModel
    from sqlalchemy import Table
    from sqlalchemy.orm import DeclarativeBase

    class Model(QueryModel, DeclarativeBase):
        """What ``db.Model`` is to mypy: a declarative base with Flask-SQLAlchemy's ``query``.

        ``db.Model`` is made when the extension is created, and mypy takes no attribute of an
        object as a base class (python/mypy#8603); the running code uses ``db.Model`` itself.
        """

        __abstract__ = True
        # Every model is mapped to a table (DeclarativeBase says only "a FROM clause").
        __table__: ClassVar[Table]
else:
    Model = db.Model


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Store aware UTC datetimes; SQLite drops the offset, so put it back on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store times in UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column(kind: type[enum.Enum], length: int) -> Enum:
    """Store an enum's values ("qr", "in_progress"), not its names, as plain VARCHAR.

    Values are what files, exports and SQL reports show, so the database speaks the same words.
    """
    return Enum(kind, native_enum=False, length=length,
                values_callable=lambda members: [m.value for m in members])
