"""Who holds a case: the pure routing engine fed from the database, and its upkeep.

The promise kept here: every open case is always on the desk of someone who may hold it (see
``survey/routing.py``), or, when nobody at all may, in the Unassigned queue and in the report of
``survey cases check``. Filing routes a case; every change that can take a case off a desk (a user
deactivated, moved or given another role, a conflict declared, a unit moved, a rule or the intake
office changed) ends with ``repair``, which finds the open cases now off every desk in one query
and routes each again. Every routing decision is written to the case's history with its reasons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from survey.extensions import db
from survey.models import AuditEvent, Case, CaseKind, ConflictOfInterest, Role, RoutingRule, User
from survey.models.base import utcnow
from survey.rules import routing
from survey.rules.org_tree import OrgTree
from survey.rules.workflow import OPEN_STATES
from survey.services import ServiceError, audit, settings
from survey.services import notifications as notify
from survey.services.case_access import conflicts
from survey.services.org import tree as org_tree

HANDLER_ROLES = (Role.OFFICER, Role.LEADER)
BATCH = 500


@dataclass
class RoutingContext:
    """Everything routing reads, loaded once for a batch of cases (five queries)."""

    tree: OrgTree
    staff: list[routing.Staff]
    rules: list[routing.Rule]
    conflicts: list[frozenset[int]]
    intake_unit_id: int | None

    def decide(self, facts: routing.CaseFacts, start_unit_id: int | None = None
               ) -> routing.Decision:
        return routing.route(facts, self.rules, self.tree, self.staff, self.conflicts,
                             intake_unit_id=self.intake_unit_id, start_unit_id=start_unit_id)

    def holders(self, facts: routing.CaseFacts) -> routing.Holders:
        return routing.holders_for(facts, self.staff, self.conflicts)

    def moved(self, previous: int | None, new: int | None) -> None:
        """Keep the open-case counts true while a batch is routed, so load stays balanced."""
        if previous == new:
            return
        for position, member in enumerate(self.staff):
            if member.id in (previous, new):
                change = 1 if member.id == new else -1
                self.staff[position] = replace(member, open_cases=member.open_cases + change)


def staff() -> list[routing.Staff]:
    open_counts = dict(db.session.execute(
        select(Case.assignee_id, func.count(Case.id))
        .where(Case.state.in_(OPEN_STATES), Case.assignee_id.is_not(None))
        .group_by(Case.assignee_id)).all())
    users = db.session.execute(select(User.id, User.unit_id, User.role, User.active)
                               .where(User.role.in_(HANDLER_ROLES)))
    return [routing.Staff(id=u.id, unit_id=u.unit_id, is_leader=u.role is Role.LEADER,
                          active=u.active, open_cases=open_counts.get(u.id, 0)) for u in users]


def rules() -> list[routing.Rule]:
    rows = db.session.scalars(select(RoutingRule).where(RoutingRule.active.is_(True)))
    return [routing.Rule(id=r.id, handling_unit_id=r.handling_unit_id, kind=r.kind,
                         unit_id=r.unit_id, procedure_field=r.procedure_field, topic=r.topic)
            for r in rows]


def load_context() -> RoutingContext:
    return RoutingContext(org_tree(), staff(), rules(), conflicts(), settings.intake_unit_id())


def facts(case: Case) -> routing.CaseFacts:
    accused = case.accused_user_id if case.kind is CaseKind.DENUNCIATION else None
    return routing.CaseFacts(kind=case.kind.value, unit_id=case.unit_id,
                             procedure_field=case.procedure.field if case.procedure else None,
                             topic=case.topic, accused_user_id=accused)


def plan(case_facts: routing.CaseFacts) -> routing.Decision:
    """Where a new case with these facts would go: the "try it" box asks exactly this."""
    return load_context().decide(case_facts)


def route_case(case: Case, *, ctx: RoutingContext | None = None, cause: str = "filed",
               actor: User | None = None, start_unit_id: int | None = None) -> routing.Decision:
    """Give the case its holder (or the Unassigned queue), and write why to its history."""
    ctx = ctx or load_context()
    decision = ctx.decide(facts(case), start_unit_id)
    previous = case.assignee_id
    _apply(case, decision)
    ctx.moved(previous, case.assignee_id)
    db.session.flush()
    audit.record("assigned" if cause == "filed" else "rerouted", case_id=case.id, actor=actor,
                 actor_kind=None if actor else "system",
                 **_routing_detail(case, decision, previous, cause))
    notify.case_assigned(case, rerouted=cause != "filed")
    return decision


def _routing_detail(case: Case, decision: routing.Decision, previous: int | None,
                    cause: str) -> dict:
    return {"cause": cause, "handling_unit": case.handling_unit_id, "assignee": case.assignee_id,
            "previous": previous, "rule": decision.rule_id,
            "reasons": [reason.as_json() for reason in decision.reasons]}


def _apply(case: Case, decision: routing.Decision) -> None:
    case.assignee_id = decision.assignee_id
    case.handling_unit_id = decision.handling_unit_id or case.handling_unit_id or case.unit_id
    if case.assignee_id is None:
        case.unassigned_since = case.unassigned_since or utcnow()
    else:
        case.unassigned_since = case.unassigned_notified_at = None


# ---- who may hold a case, by hand -------------------------------------------------------------

def assignable_officers(case: Case, units: Sequence[int] | None) -> list[User]:
    """Active handlers who may hold the case, within ``units`` (None: anywhere)."""
    query = select(User).where(User.active.is_(True), User.role.in_(HANDLER_ROLES))
    if units is not None:
        query = query.where(User.unit_id.in_(units))
    users = db.session.scalars(query.order_by(User.display_name)).all()
    holders = routing.holders_for(facts(case), staff(), conflicts())
    allowed = {m.id for m in holders.staff if holders.may_hold(m)}
    return [u for u in users if u.id in allowed]


def reassign(case: Case, officer: User, *, actor: User, units: Sequence[int] | None) -> None:
    """Give the case to ``officer`` by hand; the same exclusions as routing apply."""
    if case.state not in OPEN_STATES:
        raise ServiceError(_("Only an open case can be given to someone."))
    if officer not in assignable_officers(case, units):
        raise ServiceError(_("This officer cannot be given this case."))
    previous = case.assignee_id
    case.assignee_id, case.handling_unit_id = officer.id, officer.unit_id
    case.unassigned_since = case.unassigned_notified_at = None
    db.session.flush()
    audit.record("reassigned", case_id=case.id, actor=actor, previous=previous,
                 assignee=officer.id, handling_unit=officer.unit_id)
    notify.case_assigned(case, rerouted=True)


# ---- the invariant ----------------------------------------------------------------------------

@dataclass(frozen=True)
class OffDesk:
    case_id: int
    kind: str
    unit_id: int | None  # the handling unit, else the unit concerned
    # unassigned, holder_inactive, holder_not_handler, holder_elsewhere, holder_excluded
    reason: str


def _suspects():
    """Open cases whose holder may no longer hold them, or that have none (one query)."""
    holder, accused = aliased(User), aliased(User)
    in_conflict = exists().where(or_(
        and_(ConflictOfInterest.user_a_id == Case.assignee_id,
             ConflictOfInterest.user_b_id == Case.accused_user_id),
        and_(ConflictOfInterest.user_b_id == Case.assignee_id,
             ConflictOfInterest.user_a_id == Case.accused_user_id)))
    names_someone = and_(Case.kind == CaseKind.DENUNCIATION, Case.accused_user_id.is_not(None))
    excluded = and_(names_someone, or_(
        Case.assignee_id == Case.accused_user_id, in_conflict,
        and_(accused.role == Role.LEADER, holder.unit_id == accused.unit_id)))
    return (select(Case.id, Case.kind, Case.handling_unit_id, Case.unit_id, Case.assignee_id,
                   holder.active, holder.role, holder.unit_id.label("holder_unit"),
                   excluded.label("excluded"))
            .outerjoin(holder, holder.id == Case.assignee_id)
            .outerjoin(accused, and_(accused.id == Case.accused_user_id, names_someone))
            .where(Case.state.in_(OPEN_STATES))
            .where(or_(Case.assignee_id.is_(None), holder.active.is_(False),
                       holder.role.not_in(HANDLER_ROLES), Case.handling_unit_id.is_(None),
                       holder.unit_id != Case.handling_unit_id, excluded))
            .order_by(Case.id))


def _why(row) -> str:
    if row.assignee_id is None:
        return "unassigned"
    if not row.active:
        return "holder_inactive"
    if row.role not in HANDLER_ROLES:
        return "holder_not_handler"
    if row.excluded:
        return "holder_excluded"
    return "holder_elsewhere"


def off_desk() -> list[OffDesk]:
    """List every open case that no one who may hold it has on their desk."""
    rows = db.session.execute(_suspects()).all()
    if not rows:
        return []
    ctx = load_context() if any(row.assignee_id is None for row in rows) else None
    found = []
    for row in rows:
        if row.assignee_id is None and ctx is not None and _queued_for_a_leader(row.id, ctx):
            continue
        found.append(OffDesk(row.id, CaseKind(row.kind).value, row.handling_unit_id or row.unit_id,
                             _why(row)))
    return found


def _queued_for_a_leader(case_id: int, ctx: RoutingContext) -> bool:
    """An unassigned case is on a desk when a leader who may hold it sees it in the queue."""
    case = db.session.get(Case, case_id)
    if case is None:  # the id was read in this transaction; checked for mypy's sake
        return False
    unit_id = case.handling_unit_id or case.unit_id
    if unit_id is None or unit_id not in ctx.tree:
        return False
    holders = ctx.holders(facts(case))
    lineage = set(ctx.tree.lineage(unit_id))
    return any(m.is_leader and m.unit_id in lineage and holders.may_hold(m) for m in ctx.staff)


def open_count() -> int:
    return db.session.scalar(select(func.count(Case.id)).where(Case.state.in_(OPEN_STATES))) or 0


def repair(cause: str, *, actor: User | None = None) -> int:
    """Route again every open case now off every desk; return how many changed hands.

    Batched: a deactivated officer may hold thousands of cases, so each batch is decided in
    memory, written with one audit append, and each new holder gets one notice for all of theirs.
    """
    suspects = [row.id for row in db.session.execute(_suspects())]
    if not suspects:
        return 0
    ctx = load_context()
    changed: dict[int | None, list[int]] = {}
    for start in range(0, len(suspects), BATCH):
        events = []
        batch = db.session.scalars(select(Case).where(Case.id.in_(suspects[start:start + BATCH]))
                                   .options(selectinload(Case.procedure)).order_by(Case.id))
        for case in batch:
            decision = ctx.decide(facts(case), _restart_unit(case))
            if case.assignee_id is None and decision.assignee_id is None \
                    and case.handling_unit_id is not None:
                continue  # still nobody: the history already says so, don't repeat it
            previous = case.assignee_id
            _apply(case, decision)
            ctx.moved(previous, case.assignee_id)
            events.append((case.id, _routing_detail(case, decision, previous, cause)))
            changed.setdefault(case.assignee_id, []).append(case.id)
        db.session.flush()
        audit.record_many("rerouted", events, actor=actor, actor_kind=None if actor else "system")
    notify.cases_rerouted(changed)
    return sum(len(ids) for ids in changed.values())


def _restart_unit(case: Case) -> int | None:
    """Route again from the handling unit, except a denunciation naming someone (superiors)."""
    if case.kind is CaseKind.DENUNCIATION and case.accused_user_id is not None:
        return None
    return case.handling_unit_id


def latest_reasons(case_ids: Sequence[int]) -> dict[int, list[dict]]:
    """The reasons of each case's last routing decision, from its history."""
    if not case_ids:
        return {}
    events = db.session.execute(
        select(AuditEvent.case_id, AuditEvent.detail)
        .where(AuditEvent.case_id.in_(case_ids), AuditEvent.action.in_(("assigned", "rerouted")))
        .order_by(AuditEvent.id)).all()
    return {case_id: list(detail.get("reasons", [])) for case_id, detail in events}
