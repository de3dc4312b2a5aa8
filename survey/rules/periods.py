"""Calendar periods in Vietnamese local time, as UTC instants for queries (pure)."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ).astimezone(UTC)


def period_starts(now: datetime) -> dict[str, datetime]:
    """Starts of today, this month and this year in Asia/Ho_Chi_Minh, as UTC datetimes."""
    today = now.astimezone(LOCAL_TZ).date()
    return {
        "today": local_midnight(today),
        "month": local_midnight(today.replace(day=1)),
        "year": local_midnight(today.replace(month=1, day=1)),
    }


def date_range(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """Inclusive local dates to a half-open UTC range [start, end + 1 day)."""
    return (local_midnight(start) if start else None,
            local_midnight(end + timedelta(days=1)) if end else None)


def other_period(start: date, end: date, kind: str) -> tuple[date, date]:
    """The period to compare with: the one just before (same length) or a year earlier."""
    if kind == "previous":
        length = (end - start).days + 1
        return start - timedelta(days=length), start - timedelta(days=1)
    return _year_earlier(start), _year_earlier(end)


def _year_earlier(day: date) -> date:
    last = calendar.monthrange(day.year - 1, day.month)[1]
    return date(day.year - 1, day.month, min(day.day, last))  # 29 February becomes the 28th
