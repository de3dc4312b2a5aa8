"""Column helpers shared by the models."""

import enum
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum
from sqlalchemy.types import TypeDecorator


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
