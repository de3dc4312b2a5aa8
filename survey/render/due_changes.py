"""Put a milestone's due-date changes into words for the officer's case page and /track."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext

from survey.extensions import db
from survey.models import MilestoneChange, User
from survey.web.i18n import local_date


def _days(cause: dict) -> str:
    days = abs(int(cause.get("days") or 0))
    if cause.get("unit") == "working":
        return ngettext("%(num)d working day", "%(num)d working days", days)
    return ngettext("%(num)d day", "%(num)d days", days)


def _approver(user_id: int | None, show_names: bool) -> str:
    user = db.session.get(User, user_id) if user_id and show_names else None
    if user is None:
        return _("approved by a leader")
    return _("approved by %(name)s", name=user.display_name)


def describe_cause(cause: dict, *, show_names: bool = True) -> str:
    """One reason, e.g. "counted from acceptance on 05/12/2026" or "+5 days suspended"."""
    kind = cause.get("cause")
    if kind == "accepted":
        return _("counted from acceptance on %(date)s",
                 date=local_date(date.fromisoformat(cause["on"])))
    if kind == "start":
        return _("counted from %(date)s", date=local_date(date.fromisoformat(cause["on"])))
    if kind == "suspended":
        return _("+%(days)s while handling was suspended", days=_days(cause))
    if kind == "citizen":
        return _("+%(days)s waiting for the citizen's information", days=_days(cause))
    if kind == "extended":
        return _("extended by %(days)s (%(approval)s)", days=_days(cause),
                 approval=_approver(cause.get("by"), show_names))
    if kind == "period":
        return _("period shortened by %(days)s", days=_days(cause))
    if kind == "calendar":
        return _("the calendar of days off changed")
    return _("recalculated")


def describe(change: MilestoneChange, *, show_names: bool = True) -> str:
    """The whole change: "was 18/01/2027; counted from acceptance on 05/12/2026"."""
    reasons = "; ".join(describe_cause(c, show_names=show_names) for c in change.causes or [])
    return _("was %(date)s; %(reasons)s", date=local_date(change.old_due), reasons=reasons)
