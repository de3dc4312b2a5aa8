"""Withdrawal of a complaint or denunciation, in whole or in part (Law 136/2025/QH15).

Withdrawal is the citizen's act: online from the tracking page with the receipt code, or by a
letter that an officer records. Withdrawn points are never reconsidered; withdrawing the whole
case ends it. (Under the Law on Denunciations the body may still act on its own where the facts
show a violation; that is a new case, not this one.)
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from survey.extensions import db
from survey.models import Case, CaseState, CaseWithdrawal, User
from survey.models.base import utcnow
from survey.rules import workflow
from survey.services import ServiceError, audit, milestones
from survey.services import notifications as notify
from survey.services.cases import end_pauses


def withdraw(case: Case, *, whole: bool, reason: str, points: str = "",
             recorded_by: User | None = None, received_on: date | None = None,
             lang: str = "vi") -> CaseWithdrawal:
    """Withdraw the case, or some of its points; withdrawn points are never reconsidered.

    Withdrawing the whole case ends it. ``recorded_by`` is the officer who records a written
    withdrawal received on paper, on ``received_on``; the citizen is then told in ``lang``.
    """
    if not workflow.can_withdraw(case.kind, case.state):
        raise ServiceError(_("This case can no longer be withdrawn."))
    reason, points = reason.strip(), points.strip()
    if not reason:
        raise ServiceError(_("Please give the reason for the withdrawal."))
    if not whole and not points:
        raise ServiceError(_("List the points that are withdrawn."))
    now = utcnow()
    today = milestones.local_day(now)
    received_on = received_on or today
    if received_on > today or received_on < milestones.local_day(case.received_at):
        raise ServiceError(_("The date received must lie between the case's receipt and today."))
    withdrawal = CaseWithdrawal(case=case, whole=whole, points=None if whole else points,
                                reason=reason, on_paper=recorded_by is not None,
                                received_on=received_on,
                                recorded_by_id=recorded_by.id if recorded_by else None)
    db.session.add(withdrawal)
    who = {"actor": recorded_by} if recorded_by else {"actor_kind": "citizen"}
    if whole:
        previous = case.state
        case.state, case.closed_at = CaseState.WITHDRAWN, now
        end_pauses(case, today)
        db.session.flush()
        audit.record("withdrawn", case_id=case.id, previous=previous.value,
                     on_paper=recorded_by is not None, **who)
    else:
        db.session.flush()
        audit.record("partly_withdrawn", case_id=case.id, withdrawal=withdrawal.id,
                     on_paper=recorded_by is not None, **who)
    notify.case_withdrawn(case, whole)
    if recorded_by is not None:
        notify.citizen_update(case, lang)
    return withdrawal
