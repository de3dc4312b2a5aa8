"""The one reading of the wall clock for local dates (impure by design).

Pure modules (``survey.rules.periods`` and the rest) take ``today`` as an argument; views,
services, forms and commands ask here for it.
"""

from __future__ import annotations

from datetime import date, datetime

from survey.rules.periods import LOCAL_TZ


def local_today() -> date:
    """Today's date in Vietnam, whatever the server's time zone."""
    return datetime.now(LOCAL_TZ).date()
