"""Who handles a case: the pure routing engine fed from the database, and manual reassignment.

The conflict-of-interest rule is applied on every assignment, automatic or manual: nobody named
in a denunciation, nor anyone declared in conflict with them, ever holds it.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from survey import routing
from survey.extensions import db
from survey.models import Case, CaseKind, ConflictOfInterest, Role, RoutingRule, Unit, User
from survey.services import ServiceError, audit
from survey.workflow import OPEN_STATES

HANDLER_ROLES = (Role.OFFICER, Role.LEADER)


def org() -> routing.Org:
    return routing.Org(parent_of=dict(db.session.execute(select(Unit.id, Unit.parent_id)).all()))


def conflicts() -> list[frozenset[int]]:
    pairs = db.session.execute(select(ConflictOfInterest.user_a_id, ConflictOfInterest.user_b_id))
    return [frozenset(pair) for pair in pairs]


def staff() -> list[routing.Staff]:
    open_counts = dict(db.session.execute(
        select(Case.assignee_id, func.count(Case.id))
        .where(Case.state.in_(OPEN_STATES), Case.assignee_id.is_not(None))
        .group_by(Case.assignee_id)).all())
    users = db.session.scalars(select(User).where(User.role.in_(HANDLER_ROLES)))
    return [routing.Staff(id=u.id, unit_id=u.unit_id, is_leader=u.role is Role.LEADER,
                          active=u.active, open_cases=open_counts.get(u.id, 0)) for u in users]


def rules() -> list[routing.Rule]:
    rows = db.session.scalars(select(RoutingRule).where(RoutingRule.active.is_(True)))
    return [routing.Rule(id=r.id, handling_unit_id=r.handling_unit_id, kind=r.kind,
                         unit_id=r.unit_id, procedure_field=r.procedure_field, topic=r.topic)
            for r in rows]


def facts(case: Case) -> routing.CaseFacts:
    accused = case.accused_user_id if case.kind is CaseKind.DENUNCIATION else None
    return routing.CaseFacts(kind=case.kind.value, unit_id=case.unit_id,
                             procedure_field=case.procedure.field if case.procedure else None,
                             topic=case.topic, accused_user_id=accused)


def decide(case_facts: routing.CaseFacts) -> routing.Decision:
    return routing.route(case_facts, rules(), org(), staff(), conflicts())


def route_case(case: Case) -> routing.Decision:
    """Route a new case; with no matching rule, the case's own unit handles it."""
    decision = decide(facts(case))
    unit_id = decision.handling_unit_id or case.unit_id
    assignee_id = decision.assignee_id
    if decision.handling_unit_id is None and unit_id is not None:
        fallback = routing.route(facts(case), [routing.Rule(id=0, handling_unit_id=unit_id)],
                                 org(), staff(), conflicts())
        assignee_id = fallback.assignee_id
    case.handling_unit_id, case.assignee_id = unit_id, assignee_id
    db.session.flush()
    audit.record("assigned", case_id=case.id, actor_kind="system",
                 handling_unit=unit_id, assignee=assignee_id, rule=decision.rule_id)
    return decision


def is_excluded(case: Case, user: User) -> bool:
    """True when the user must not see or hold the case (accused, or in conflict with them)."""
    if case.kind is not CaseKind.DENUNCIATION or case.accused_user_id is None:
        return False
    return routing.is_excluded(user.id, case.accused_user_id, conflicts())


def assignable_officers(case: Case, subtree: list[int]) -> list[User]:
    """Active handlers in ``subtree`` who may hold the case."""
    users = db.session.scalars(select(User).where(User.unit_id.in_(subtree), User.active.is_(True),
                                                  User.role.in_(HANDLER_ROLES))
                               .order_by(User.display_name))
    return [u for u in users if not is_excluded(case, u)]


def reassign(case: Case, officer: User, *, actor: User, subtree: list[int]) -> None:
    if officer not in assignable_officers(case, subtree):
        raise ServiceError(_("This officer cannot be given this case."))
    previous = case.assignee_id
    case.assignee_id = officer.id
    if officer.unit_id != case.handling_unit_id:
        case.handling_unit_id = officer.unit_id
    db.session.flush()
    audit.record("reassigned", case_id=case.id, actor=actor, previous=previous, assignee=officer.id)
