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

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from survey.extensions import db
from survey.models import Case, CaseKind, Role, User
from survey.rules import routing
from survey.services import audit, case_access, identity, mail, org
from survey.web.urls import external_url, track_url


def kind_label(kind: CaseKind) -> str:
    return {CaseKind.FEEDBACK: _("feedback or petition"), CaseKind.COMPLAINT: _("complaint"),
            CaseKind.DENUNCIATION: _("denunciation")}[kind]


def _desk_link(case: Case) -> str:
    return external_url("officer.show_case", case_id=case.id)


def leaders_of(unit_id: int | None, case: Case | None = None) -> list[User]:
    """The leaders of the unit, or of its nearest ancestor that has one (one query for the tree).

    With ``case``, leaders who must not see it (the accused, those in conflict) are left out.
    """
    if unit_id is None:
        return []
    tree = org.tree()
    lineage = tree.lineage(unit_id) if unit_id in tree else (unit_id,)
    leaders = db.session.scalars(select(User).where(
        User.unit_id.in_(lineage), User.role == Role.LEADER, User.active.is_(True))).all()
    if case is not None and case.kind is CaseKind.DENUNCIATION and case.accused_user_id:
        pairs = set(case_access.conflicts())
        leaders = [u for u in leaders
                   if not routing.is_excluded(u.id, case.accused_user_id, pairs)]
    for level in lineage:
        found = [u for u in leaders if u.unit_id == level]
        if found:
            return found
    return []


def admins() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == Role.ADMIN,
                                                      User.active.is_(True))))


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
def case_assigned(case: Case, *, rerouted: bool = False) -> None:
    if case.assignee_id is None:
        # Nobody may hold it: the administrators must add or free someone.
        _to_staff(admins(), case, _("Case #%(id)d has no handler", id=case.id),
                  _("Nobody may take the %(kind)s #%(id)d: it waits in the Unassigned queue.",
                    kind=kind_label(case.kind), id=case.id))
        return
    assignee = db.session.get(User, case.assignee_id)
    if rerouted:
        line = _("The %(kind)s #%(id)d is now assigned to you.", kind=kind_label(case.kind),
                 id=case.id)
    else:
        line = _("A new %(kind)s (#%(id)d) is assigned to you.", kind=kind_label(case.kind),
                 id=case.id)
    _to_staff([assignee] if assignee else [], case,
              _("Case #%(id)d assigned to you", id=case.id), line)


@in_vietnamese
def cases_rerouted(by_holder: dict[int | None, list[int]]) -> None:
    """One notice per new holder (and one to the administrators for cases nobody may hold)."""
    for holder_id, case_ids in by_holder.items():
        if holder_id is None:
            recipients, subject = admins(), _("Cases with no handler")
            line = ngettext("%(num)d case now has nobody who may hold it: see the Unassigned "
                            "queue.", "%(num)d cases now have nobody who may hold them: see the "
                            "Unassigned queue.", len(case_ids))
            link = external_url("officer.unassigned")
        else:
            recipients = [u for u in [db.session.get(User, holder_id)] if u is not None]
            subject = _("Cases assigned to you")
            line = ngettext("%(num)d case was routed to you because its holder can no longer "
                            "hold it.", "%(num)d cases were routed to you because their holder "
                            "can no longer hold them.", len(case_ids))
            link = external_url("officer.desk")
        for user in recipients:
            if user.email:
                mail.queue(user.email, subject, _(
                    "%(line)s\n\nOpen the desk: %(link)s\n\nThis message holds no personal "
                    "data; the details are on the officer's desk.", line=line, link=link))


@in_vietnamese
def still_unassigned(case: Case) -> None:
    """Tell the leaders above (or, with none, the administrators) a case waits for a holder."""
    above = leaders_of(case.handling_unit_id or case.unit_id, case) or admins()
    _to_staff(above, case, _("Case #%(id)d has waited a working day for a handler", id=case.id),
              _("The %(kind)s #%(id)d has waited in the Unassigned queue for a working day: "
                "take it or assign it.", kind=kind_label(case.kind), id=case.id))


@in_vietnamese
def extension_requested(case: Case) -> None:
    _to_staff(leaders_of(case.handling_unit_id, case), case,
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
    _to_staff(leaders_of(case.handling_unit_id, case), case,
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


def receipt_issued(case: Case, code: str, lang: str) -> None:
    """Mail the receipt code to the citizen who gave an address (the code and the link only).

    ``lang`` is the language of the mail: the caller's choice (see ``cases.open_case``).
    """
    address = _citizen_email(case)
    if not address:
        return
    with force_locale(lang):
        mail.queue(address, _("Your receipt code"), _(
            "We have received your case. Your receipt code is:\n\n%(code)s\n\nWith it you can "
            "follow the case, read the answer and add information at %(link)s. Keep this code "
            "to yourself: anyone who has it can read the case.", code=code, link=track_url()))


def citizen_update(case: Case, lang: str) -> None:
    """Tell the citizen, in ``lang``, that the case has news to read on the tracking page."""
    address = _citizen_email(case)
    if not address:
        return
    with force_locale(lang):
        mail.queue(address, _("Your case has been updated"), _(
            "There is news about the case you filed. Open %(link)s and enter your receipt code "
            "to read it.", link=track_url()))
