"""What kind of case it is and where it stands: the enums the workflow rules are written in (pure).

They live here, not in the models, so that the rules can be read and tested without the ORM;
``survey.models.cases`` stores them (their names and values are the database's, keep them).
"""

from __future__ import annotations

import enum


class CaseKind(enum.StrEnum):
    FEEDBACK = "feedback"
    COMPLAINT = "complaint"
    DENUNCIATION = "denunciation"


class CaseState(enum.StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    FORWARDED = "forwarded"
    IN_PROGRESS = "in_progress"
    WAITING_ON_CITIZEN = "waiting_on_citizen"
    RESOLVED = "resolved"
    CLOSED = "closed"
    # Law 136/2025/QH15 (from 1 July 2026): suspension stops the clock; the two others end it.
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"
    TERMINATED = "terminated"
