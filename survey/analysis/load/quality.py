"""The SQL for the quality of the answers: how many responses are flagged, and excluded.

Counts only, grouped in the database; the list of flagged responses (for the inspector to
decide on) is ``services.exclusions``'s, as it pages rows rather than counting them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import distinct, func, select

from survey.analysis import anomalies
from survey.analysis.load.responses import _scoped
from survey.analysis.load.session import AnySession
from survey.models import Response
from survey.models.quality import ResponseExclusion, ResponseFlag


@dataclass(frozen=True)
class FlagCounts:
    by_kind: dict[str, int]  # every kind, 0 included
    flagged: int  # responses with at least one flag
    excluded: int  # responses excluded by an inspector


def flag_counts(session: AnySession, *, unit_ids: Collection[int] | None,
                start: datetime | None, end: datetime | None) -> FlagCounts:
    """Count the flagged responses in scope by kind, in all, and the excluded ones."""
    units = list(unit_ids) if unit_ids is not None else None
    flags = select().select_from(ResponseFlag).join(Response,
                                                    Response.id == ResponseFlag.response_id)
    by_kind = dict.fromkeys(anomalies.KINDS, 0) | dict(session.execute(_scoped(
        flags.add_columns(ResponseFlag.kind, func.count()).group_by(ResponseFlag.kind),
        start, end, units)).all())
    flagged = session.scalar(_scoped(
        flags.add_columns(func.count(distinct(ResponseFlag.response_id))), start, end, units))
    excluded = session.scalar(_scoped(
        select(func.count()).select_from(ResponseExclusion)
        .join(Response, Response.id == ResponseExclusion.response_id), start, end, units))
    return FlagCounts(by_kind, flagged or 0, excluded or 0)
