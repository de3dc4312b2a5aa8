"""No case is ever lost: every open case is on the desk of someone who may hold it.

A property test over random organisations, on the real database: random unit trees, staff,
conflicts, rules, intake offices and cases of every kind (denunciations naming anyone), then
random changes through the services: users deactivated, moved or given another role, conflicts
declared later, units moved in the tree, rules edited or deleted, cases reassigned by hand, the
intake office changed. After every step:

- the invariant: a case is held by someone who may hold it whenever anyone in the organisation
  may (the oracle below is written from the law's words, not from the routing code), and is in
  the Unassigned queue, reported by ``survey cases check``, only when nobody may;
- the secrecy rule: no denunciation is visible to the person it names, nor to anyone declared in
  conflict with them.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from survey.extensions import db
from survey.models import Case, CaseKind, ConflictOfInterest, Role, RoutingRule, Unit, User
from survey.rules.workflow import OPEN_STATES
from survey.services import ServiceError, assignment, case_access
from survey.services import cases as case_service
from survey.services import rules as rule_service
from survey.services import settings as platform_settings
from survey.services.org import save_unit, subtree_ids
from survey.services.users import create_user, update_user
from tests.conftest import _empty_tables

HANDLERS = (Role.OFFICER, Role.LEADER)
KINDS = list(CaseKind)


@dataclass(frozen=True)
class Org:
    parents: list[int | None]  # parent index of each unit (always an earlier unit)
    staff: list[tuple[Role, int, bool]]  # role, unit index, active
    conflicts: list[tuple[int, int]]
    rules: list[tuple[str | None, int | None, int]]  # kind, unit index, handling unit index
    intake: int | None
    cases: list[tuple[CaseKind, int | None, int | None]]  # kind, unit index, accused staff index


@st.composite
def organisations(draw) -> Org:
    units = draw(st.integers(1, 6))
    parents = [None] + [draw(st.none() | st.integers(0, i - 1)) for i in range(1, units)]
    unit = st.integers(0, units - 1)
    staff = draw(st.lists(st.tuples(st.sampled_from([Role.OFFICER, Role.LEADER, Role.INSPECTOR]),
                                    unit, st.booleans()), max_size=8))
    person = st.integers(0, max(len(staff) - 1, 0))
    conflicts = draw(st.lists(st.tuples(person, person), max_size=4)) if staff else []
    rules = draw(st.lists(st.tuples(st.sampled_from([None, "feedback", "complaint",
                                                     "denunciation"]),
                                    st.none() | unit, unit), max_size=3))
    cases = draw(st.lists(st.tuples(st.sampled_from(KINDS), st.none() | unit,
                                    st.none() | person if staff else st.none()),
                          min_size=1, max_size=5))
    return Org(parents, staff, conflicts, rules, draw(st.none() | unit), cases)


CHANGES = st.lists(st.tuples(
    st.sampled_from(["deactivate", "reactivate", "move_user", "role", "conflict", "move_unit",
                     "edit_rule", "delete_rule", "reassign", "intake", "new_officer"]),
    st.integers(0, 50), st.integers(0, 50)), max_size=6)


def build(org: Org) -> tuple[list[Unit], list[User], list[RoutingRule], list[Case]]:
    units: list[Unit] = []
    for i, parent in enumerate(org.parents):
        units.append(save_unit(None, code=f"U{i}", name=f"Đơn vị {i}", level="Cấp",
                               parent=units[parent] if parent is not None else None))
    people = []
    for i, (role, unit, active) in enumerate(org.staff):
        person = create_user(f"u{i}", role=role, unit=units[unit], password="mat-khau-dai-1")
        person.active = active
        people.append(person)
    db.session.flush()
    for a, b in org.conflicts:
        try:
            rule_service.declare_conflict(people[a], people[b], "thân nhân", actor=None)
        except ServiceError:
            pass  # the same person twice, or a pair already declared
    rules = [rule_service.save_rule(None, actor=None, kind=kind,
                                    unit_id=units[unit].id if unit is not None else None,
                                    procedure_field=None, topic=None,
                                    handling_unit_id=units[handler].id, note=None, active=True)
             for kind, unit, handler in org.rules]
    if org.intake is not None:
        platform_settings.put(platform_settings.INTAKE_UNIT, units[org.intake].id)
    cases = [file(kind, units[unit] if unit is not None else None,
                  people[accused] if accused is not None else None)
             for kind, unit, accused in org.cases]
    db.session.commit()
    return units, people, rules, cases


def file(kind: CaseKind, unit: Unit | None, accused: User | None) -> Case:
    new = case_service.NewCase(kind=kind, subject="Phản ánh", description="Nội dung", unit=unit,
                               anonymous=kind is not CaseKind.COMPLAINT)
    if kind is CaseKind.COMPLAINT:
        new.name, new.address, new.phone = "Nguyễn Văn An", "12 Lê Lợi", "0912345678"
        new.decision_complained = "Quyết định 12/QĐ"
    if kind is CaseKind.DENUNCIATION:
        new.accused_description, new.accused = "Cán bộ đòi tiền", accused
    case, _code = case_service.open_case(new)
    return case


def apply(change: tuple[str, int, int], units: list[Unit], people: list[User],
          rules: list[RoutingRule], cases: list[Case]) -> None:
    """Make one change through the services, as an administrator or a leader would."""
    what, a, b = change
    person = people[a % len(people)] if people else None
    try:
        if what in ("deactivate", "reactivate", "move_user", "role") and person is not None:
            role = {0: Role.OFFICER, 1: Role.LEADER}.get(b % 3, Role.INSPECTOR)
            update_user(person, actor=None, display_name=person.display_name, email=None,
                        role=role if what == "role" else person.role,
                        unit=units[b % len(units)] if what == "move_user" else person.unit,
                        active={"deactivate": False, "reactivate": True}.get(what, person.active))
        elif what == "conflict" and len(people) > 1:
            rule_service.declare_conflict(person, people[b % len(people)], "cùng tổ", actor=None)
        elif what == "move_unit":
            unit = units[a % len(units)]
            parent = units[b % len(units)] if b % 3 else None
            save_unit(unit, code=unit.code, name=unit.name, level=unit.level, parent=parent)
        elif what == "edit_rule" and rules:
            rule = rules[a % len(rules)]
            if rule in db.session:
                rule_service.save_rule(rule, actor=None, handling_unit_id=units[b % len(units)].id)
        elif what == "delete_rule" and rules:
            rule = rules[a % len(rules)]
            if db.session.get(RoutingRule, rule.id) is not None:
                rule_service.delete_rule(rule, actor=None)
        elif what == "reassign" and person is not None:
            case = cases[b % len(cases)]
            leader = next((p for p in people if p.role is Role.LEADER and p.active), None)
            if leader is not None:
                assignment.reassign(case, person, actor=leader, units=subtree_ids(leader.unit_id))
        elif what == "intake":
            platform_settings.put(platform_settings.INTAKE_UNIT, units[a % len(units)].id)
            assignment.repair("intake_changed")
        elif what == "new_officer":
            people.append(create_user(f"moi{len(people)}", role=Role.OFFICER,
                                      unit=units[a % len(units)], password="mat-khau-dai-1"))
    except ServiceError:
        db.session.rollback()  # refused (a cycle, an excluded holder...): nothing changed
        return
    db.session.commit()


def may_hold(person: User, case: Case, pairs: set[frozenset[int]]) -> bool:
    """The law's test, written apart from the routing code."""
    if not person.active or person.role not in HANDLERS:
        return False
    accused = db.session.get(User, case.accused_user_id) if case.accused_user_id and \
        case.kind is CaseKind.DENUNCIATION else None
    if accused is None:
        return True
    if person.id == accused.id or frozenset((person.id, accused.id)) in pairs:
        return False
    return not (accused.role is Role.LEADER and person.unit_id == accused.unit_id)


def check_invariant_and_secrecy() -> None:
    db.session.expire_all()
    everyone = db.session.scalars(select(User)).all()
    pairs = {frozenset(p) for p in db.session.execute(
        select(ConflictOfInterest.user_a_id, ConflictOfInterest.user_b_id))}
    open_cases = db.session.scalars(select(Case).where(Case.state.in_(OPEN_STATES))).all()
    reported = {item.case_id for item in assignment.off_desk()}
    for case in open_cases:
        anyone = [p for p in everyone if may_hold(p, case, pairs)]
        if anyone:
            holder = db.session.get(User, case.assignee_id) if case.assignee_id else None
            assert holder is not None, f"case {case.id} lost although {len(anyone)} may hold it"
            assert may_hold(holder, case, pairs), f"case {case.id} held by {holder.username}"
            assert holder.unit_id == case.handling_unit_id
            assert case.id not in reported
        else:
            assert case.assignee_id is None
            assert case.id in reported
    for case in open_cases:
        if case.kind is not CaseKind.DENUNCIATION or case.accused_user_id is None:
            continue
        barred = {case.accused_user_id} | {u for p in pairs if case.accused_user_id in p
                                           for u in p}
        for person in everyone:
            if person.id in barred:
                seen = db.session.scalar(select(Case.id).where(
                    Case.id == case.id, case_access.visible(person)))
                queued = db.session.scalar(select(Case.id).where(
                    Case.id == case.id, case_access.unassigned(person)))
                assert seen is None and queued is None, f"{person.username} sees case {case.id}"


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(org=organisations(), changes=CHANGES)
def test_every_open_case_stays_on_a_desk_through_any_change(app, org, changes):
    _empty_tables()
    try:
        units, people, rules, cases = build(org)
        check_invariant_and_secrecy()
        for change in changes:
            apply(change, units, people, rules, cases)
            check_invariant_and_secrecy()
    finally:
        db.session.rollback()
        db.session.remove()
        _empty_tables()
