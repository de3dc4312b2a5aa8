"""Notices about cases, queued in the mail outbox.

Mails to staff carry only the case number, its kind, the step and the due date, never the text the
citizen wrote or who they are; the details are behind the login. Citizens are told that something
changed and read it on the tracking page with their receipt code. The receipt code itself is mailed
once, when the case is filed, to a citizen who gave an e-mail address (a complainant's contact, or
a denouncer's sealed identity, read by the system alone): that mail holds the code and the tracking
address and nothing else, so it reveals nothing about the case to whoever reads the mailbox.
"""

from __future__ import annotations

import functools

from flask import current_app, has_request_context
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from survey.extensions import db
from survey.models import Case, CaseChannel, CaseKind, Role, Unit, User
from survey.services import audit, identity, mail


def kind_label(kind: CaseKind) -> str:
    return {CaseKind.FEEDBACK: _("feedback or petition"), CaseKind.COMPLAINT: _("complaint"),
            CaseKind.DENUNCIATION: _("denunciation")}[kind]


def _desk_link(case: Case) -> str:
    return f"{current_app.config['SURVEY_BASE_URL']}/officer/cases/{case.id}"


def leaders_of(unit_id: int | None) -> list[User]:
    """The leaders of the unit, or of its nearest ancestor that has one."""
    while unit_id is not None:
        found = list(db.session.scalars(select(User).where(
            User.unit_id == unit_id, User.role == Role.LEADER, User.active.is_(True))))
        if found:
            return found
        unit_id = db.session.scalar(select(Unit.parent_id).where(Unit.id == unit_id))
    return []


def in_vietnamese(notice):
    """Staff mail is written in Vietnamese, whatever language the citizen who caused it used."""

    @functools.wraps(notice)
    def wrapper(*args, **kwargs):
        with force_locale("vi"):
            return notice(*args, **kwargs)

    return wrapper


def _to_staff(users: list[User], case: Case, subject: str, line: str) -> None:
    for user in users:
        if user.email:
            mail.queue(user.email, subject, _(
                "%(line)s\n\nOpen the case: %(link)s\n\nThis message holds no personal data; "
                "the details are on the officer's desk.", line=line, link=_desk_link(case)))


@in_vietnamese
def case_assigned(case: Case) -> None:
    if case.assignee is None:
        _to_staff(leaders_of(case.handling_unit_id), case,
                  _("Case #%(id)d needs a handler", id=case.id),
                  _("A new %(kind)s (#%(id)d) could not be assigned automatically.",
                    kind=kind_label(case.kind), id=case.id))
        return
    _to_staff([case.assignee], case, _("Case #%(id)d assigned to you", id=case.id),
              _("A new %(kind)s (#%(id)d) is assigned to you.", kind=kind_label(case.kind),
                id=case.id))


@in_vietnamese
def extension_requested(case: Case) -> None:
    _to_staff(leaders_of(case.handling_unit_id), case,
              _("Case #%(id)d: extension requested", id=case.id),
              _("An extension of case #%(id)d waits for your decision.", id=case.id))


@in_vietnamese
def citizen_wrote(case: Case) -> None:
    if case.assignee:
        _to_staff([case.assignee], case, _("Case #%(id)d: the citizen wrote", id=case.id),
                  _("The citizen added information to case #%(id)d.", id=case.id))


@in_vietnamese
def case_withdrawn(case: Case, whole: bool) -> None:
    if not case.assignee:
        return
    if whole:
        _to_staff([case.assignee], case, _("Case #%(id)d withdrawn", id=case.id),
                  _("The citizen withdrew case #%(id)d: it has ended.", id=case.id))
    else:
        _to_staff([case.assignee], case, _("Case #%(id)d partly withdrawn", id=case.id),
                  _("The citizen withdrew some points of case #%(id)d: they are not to be "
                    "reconsidered.", id=case.id))


@in_vietnamese
def milestone_due_soon(case: Case, label: str, due: str) -> None:
    if case.assignee:
        _to_staff([case.assignee], case, _("Case #%(id)d: due %(due)s", id=case.id, due=due),
                  _("The step “%(step)s” of case #%(id)d is due on %(due)s.",
                    step=label, id=case.id, due=due))


@in_vietnamese
def milestone_late(case: Case, label: str, due: str) -> None:
    _to_staff(leaders_of(case.handling_unit_id), case,
              _("Case #%(id)d is late", id=case.id),
              _("The step “%(step)s” of case #%(id)d was due on %(due)s and is not done.",
                step=label, id=case.id, due=due))


def _citizen_email(case: Case) -> str | None:
    if case.kind is CaseKind.DENUNCIATION:
        if case.anonymous:
            return None
        person = identity.unseal(case.id)  # the system reads only the address, to notify
        if person and person.email:
            audit.record("denouncer_notified", case_id=case.id, actor_kind="system")
        return person.email if person else None
    return case.contact.email if case.contact else None


def _track_link() -> str:
    return current_app.config["SURVEY_BASE_URL"] + "/track"


def receipt_issued(case: Case, code: str) -> None:
    """Mail the receipt code to the citizen who gave an address (the code and the link only)."""
    address = _citizen_email(case)
    if not address:
        return
    # A case filed online answers in the citizen's language; one recorded from paper in
    # Vietnamese, the language of the letter (the officer's screen may be in English).
    online = case.channel is CaseChannel.ONLINE and has_request_context()
    with force_locale(str(get_locale()) if online else "vi"):
        mail.queue(address, _("Your receipt code"), _(
            "We have received your case. Your receipt code is:\n\n%(code)s\n\nWith it you can "
            "follow the case, read the answer and add information at %(link)s. Keep this code "
            "to yourself: anyone who has it can read the case.", code=code, link=_track_link()))


def citizen_update(case: Case) -> None:
    address = _citizen_email(case)
    if not address:
        return
    locale = str(get_locale()) if has_request_context() else "vi"
    with force_locale(locale):
        mail.queue(address, _("Your case has been updated"), _(
            "There is news about the case you filed. Open %(link)s and enter your receipt code "
            "to read it.", link=_track_link()))
