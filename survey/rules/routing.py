"""Case routing: who holds a case, and why (pure).

Routing never gives up while anyone may hold the case. The chain, each step taken only when the
one before found nobody eligible:

1. the handling unit: the unit of the most specific matching rule, else the unit the case
   concerns, else the root intake office (an administrator's setting);
2. that unit's officers, fewest open cases first; then its leaders;
3. the leaders of each unit above it, nearest first;
4. the intake office's officers, then its leaders;
5. the last resort: any eligible leader in the organisation, nearest the root first, then any
   eligible officer; someone must read the case, if only to forward it.

Only when nobody at all may hold the case is it left unassigned (the "Unassigned" queue, and
``survey cases check`` reports it).

A denunciation naming a staff member skips the rules and goes to that person's superior (Law on
Denunciations 2018, Art. 12-14: the head of the body that manages the accused; for the head of a
body, the head of the body directly above): a leader of the accused's unit, or of the unit above
when the accused leads their unit, walking up while a level has nobody eligible; then steps 4-5,
never the accused's own unit when the accused leads it.

Who may hold a case (``may_hold``): an active officer or leader who is not named in it, not
declared in conflict with the accused (declared pairs only; not transitive) and, when the accused
leads a unit, not a member of that unit (their subordinates and deputies).

Rules are data. A rule matches a case when every criterion it sets matches; its unit criterion
matches that unit and every unit below it; field and topic are compared without capitals or
Vietnamese marks ("Đất đai" = "dat dai"). Among matching rules the most specific wins, in this
exact order: (1) more criteria set; (2) a closer unit: the case's own unit, then its parent, and
so on, a rule without a unit criterion coming after any unit match; (3) the lowest rule id.

Every decision carries its reasons as codes with parameters (ids, never names): the case history
and the "try it" box render them in the reader's language (survey/routing_text.py).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from survey.rules.org_tree import OrgTree
from survey.rules.text_match import fold

DENUNCIATION = "denunciation"
CRITERIA = ("kind", "unit_id", "procedure_field", "topic")
FOLDED_CRITERIA = ("procedure_field", "topic")
Conflicts = Collection[frozenset[int]]


@dataclass(frozen=True)
class CaseFacts:
    kind: str
    unit_id: int | None = None
    procedure_field: str | None = None
    topic: str | None = None
    accused_user_id: int | None = None


@dataclass(frozen=True)
class Rule:
    id: int
    handling_unit_id: int
    kind: str | None = None
    unit_id: int | None = None  # matches this unit and its descendants
    procedure_field: str | None = None
    topic: str | None = None

    def criteria(self) -> tuple[str, ...]:
        """Name the criteria this rule sets."""
        return tuple(name for name in CRITERIA if getattr(self, name) is not None)


@dataclass(frozen=True)
class Staff:
    """An officer or leader, active or not, with the number of open cases they hold."""

    id: int
    unit_id: int
    is_leader: bool = False
    active: bool = True
    open_cases: int = 0


@dataclass(frozen=True)
class Reason:
    code: str
    params: Mapping[str, object] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        """Shape the reason for the audit trail: the code and its (JSON-safe) parameters."""
        return {"code": self.code, **{k: list(v) if isinstance(v, tuple) else v
                                      for k, v in self.params.items()}}


@dataclass(frozen=True)
class Decision:
    handling_unit_id: int | None
    assignee_id: int | None
    rule_id: int | None
    reasons: list[Reason]

    def codes(self) -> list[str]:
        """List the reason codes, in order."""
        return [reason.code for reason in self.reasons]


# ---- who may hold a case -------------------------------------------------------------------------

def is_excluded(user_id: int, accused_user_id: int | None, conflicts: Conflicts) -> bool:
    """Tell whether a user must never see a case naming ``accused_user_id`` (secrecy)."""
    if accused_user_id is None:
        return False
    return user_id == accused_user_id or frozenset((user_id, accused_user_id)) in conflicts


@dataclass(frozen=True)
class Holders:
    """Who may hold one case: the staff list read through the case's exclusions."""

    staff: Sequence[Staff]
    accused: Staff | None = None  # a denunciation's accused, when on the staff list
    accused_user_id: int | None = None
    conflicts: Conflicts = ()
    _by_unit: dict[int, list[Staff]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_unit: dict[int, list[Staff]] = {}
        for member in sorted(self.staff, key=lambda m: m.id):
            by_unit.setdefault(member.unit_id, []).append(member)
        object.__setattr__(self, "_by_unit", by_unit)

    def why_not(self, member: Staff) -> str | None:
        """Return the reason code that keeps ``member`` from the case, or None if they may."""
        if member.id == self.accused_user_id:
            return "excluded_accused"
        if is_excluded(member.id, self.accused_user_id, self.conflicts):
            return "excluded_conflict"
        if self.accused is not None and self.accused.is_leader \
                and member.unit_id == self.accused.unit_id:
            return "excluded_own_unit"
        if not member.active:
            return "inactive"
        return None

    def may_hold(self, member: Staff) -> bool:
        return self.why_not(member) is None

    def in_unit(self, unit_id: int, *, leaders: bool) -> list[Staff]:
        """Return the eligible officers (or leaders) of a unit, fewest open cases first."""
        found = [m for m in self._by_unit.get(unit_id, ()) if m.is_leader == leaders
                 and self.may_hold(m)]
        return sorted(found, key=lambda m: (m.open_cases, m.id))

    def passed_over(self, unit_id: int, *, leaders: bool) -> list[Reason]:
        """Explain who in a unit was passed over, lowest id first."""
        reasons = []
        for member in self._by_unit.get(unit_id, ()):
            if member.is_leader == leaders:
                why = self.why_not(member)
                if why is not None:
                    reasons.append(Reason(why, {"user": member.id}))
        return reasons


def holders_for(facts: CaseFacts, staff: Sequence[Staff], conflicts: Conflicts = ()) -> Holders:
    """Build the exclusions of a case from its facts.

    Whoever a case names never holds it, whatever its kind; only a denunciation goes to the
    named person's superior and keeps away from the office they lead.
    """
    accused_id = facts.accused_user_id
    accused = next((m for m in staff if m.id == accused_id), None) \
        if facts.kind == DENUNCIATION else None
    return Holders(staff, accused, accused_id, conflicts)


# ---- which rule ----------------------------------------------------------------------------------

def _criterion_matches(name: str, wanted: object, actual: object) -> bool:
    if name in FOLDED_CRITERIA:
        return actual is not None and " ".join(fold(str(wanted)).split()) == \
            " ".join(fold(str(actual)).split())
    return wanted == actual


def _unit_distance(rule: Rule, facts: CaseFacts, tree: OrgTree) -> float | None:
    """Return how far above the case's unit the rule's unit is (0: the unit), None if no match."""
    if rule.unit_id is None:
        return math.inf
    if facts.unit_id is None:
        return None
    lineage = tree.lineage(facts.unit_id)
    return lineage.index(rule.unit_id) if rule.unit_id in lineage else None


def matching_rules(facts: CaseFacts, rules: Iterable[Rule], tree: OrgTree) -> list[Rule]:
    """Return the rules that match a case, most specific first (see the module's ordering)."""
    ranked = []
    for rule in rules:
        distance = _unit_distance(rule, facts, tree)
        if distance is None or not all(
                _criterion_matches(name, getattr(rule, name), getattr(facts, name))
                for name in rule.criteria() if name != "unit_id"):
            continue
        ranked.append(((-len(rule.criteria()), distance, rule.id), rule))
    return [rule for _key, rule in sorted(ranked, key=lambda pair: pair[0])]


# ---- the chain -----------------------------------------------------------------------------------

@dataclass
class _Walk:
    """The chain's state: who was tried, and the reasons gathered on the way."""

    holders: Holders
    tree: OrgTree
    reasons: list[Reason] = field(default_factory=list)
    tried: set[tuple[int, bool]] = field(default_factory=set)

    def try_unit(self, unit_id: int, *, leaders: bool) -> Staff | None:
        if (unit_id, leaders) in self.tried or unit_id not in self.tree:
            return None
        self.tried.add((unit_id, leaders))
        self.reasons += self.holders.passed_over(unit_id, leaders=leaders)
        found = self.holders.in_unit(unit_id, leaders=leaders)
        if found:
            return found[0]
        self.reasons.append(Reason("no_leader" if leaders else "no_officer", {"unit": unit_id}))
        return None

    def try_office(self, unit_id: int) -> Staff | None:
        """Officers first, then leaders: a leader takes cases only when no officer can."""
        return self.try_unit(unit_id, leaders=False) or self.try_unit(unit_id, leaders=True)

    def try_leaders_above(self, unit_id: int) -> Staff | None:
        for above in self.tree.ancestors(unit_id):
            found = self.try_unit(above, leaders=True)
            if found:
                return found
        return None

    def last_resort(self) -> Staff | None:
        for leaders in (True, False):
            found = [m for m in self.holders.staff if m.is_leader == leaders
                     and m.unit_id in self.tree and self.holders.may_hold(m)]
            if found:
                chosen = min(found, key=lambda m: (self.tree.depth(m.unit_id), m.open_cases, m.id))
                self.reasons.append(Reason("last_resort", {"user": chosen.id,
                                                           "unit": chosen.unit_id}))
                return chosen
        return None

    def decide(self, chosen: Staff | None, rule_id: int | None,
               waiting_unit: int | None) -> Decision:
        if chosen is None:
            self.reasons.append(Reason("no_eligible_handler", {"unit": waiting_unit}))
            return Decision(waiting_unit, None, rule_id, self.reasons)
        if not any(r.code == "last_resort" for r in self.reasons):
            self.reasons.append(Reason("assigned_leader" if chosen.is_leader else "assigned",
                                       {"user": chosen.id, "unit": chosen.unit_id,
                                        "open": chosen.open_cases}))
        return Decision(chosen.unit_id, chosen.id, rule_id, self.reasons)


def _handling_unit(facts: CaseFacts, rules: Iterable[Rule], tree: OrgTree,
                   intake_unit_id: int | None, walk: _Walk) -> tuple[int | None, int | None]:
    """Pick the unit where the chain starts, and the rule that chose it."""
    ranked = matching_rules(facts, rules, tree)
    if ranked:
        rule = ranked[0]
        criteria = rule.criteria()
        walk.reasons.append(Reason("rule_matched" if criteria else "rule_matched_any",
                                   {"rule": rule.id, "criteria": criteria,
                                    "unit": rule.handling_unit_id}))
        walk.reasons += [Reason("rule_outranked", {"rule": other.id}) for other in ranked[1:]]
        return rule.handling_unit_id, rule.id
    if facts.unit_id is not None and facts.unit_id in tree:
        walk.reasons.append(Reason("no_rule_case_unit", {"unit": facts.unit_id}))
        return facts.unit_id, None
    if intake_unit_id is not None:
        walk.reasons.append(Reason("no_rule_intake", {"unit": intake_unit_id}))
        return intake_unit_id, None
    walk.reasons.append(Reason("no_rule_no_unit"))
    return None, None


def _to_intake(walk: _Walk, intake_unit_id: int | None, avoid_unit: int | None) -> Staff | None:
    if intake_unit_id is None:
        walk.reasons.append(Reason("no_intake_office"))
        return None
    if intake_unit_id == avoid_unit:
        walk.reasons.append(Reason("intake_is_accused_unit", {"unit": intake_unit_id}))
        return None
    walk.reasons.append(Reason("to_intake", {"unit": intake_unit_id}))
    return walk.try_office(intake_unit_id)


def _route_to_superior(accused: Staff, walk: _Walk, intake_unit_id: int | None) -> Decision:
    """Send a denunciation to a leader above the accused, never to the accused or a conflict."""
    levels = walk.tree.lineage(accused.unit_id)
    if accused.is_leader:
        levels = levels[1:]
        walk.reasons.append(Reason("accused_is_leader", {"user": accused.id,
                                                         "unit": accused.unit_id}))
    else:
        walk.reasons.append(Reason("accused_is_officer", {"user": accused.id,
                                                          "unit": accused.unit_id}))
    chosen = None
    for unit_id in levels:
        chosen = walk.try_unit(unit_id, leaders=True)
        if chosen:
            break
    chosen = chosen or _to_intake(walk, intake_unit_id, accused.unit_id) or walk.last_resort()
    return walk.decide(chosen, None, levels[0] if levels else intake_unit_id)


def route(facts: CaseFacts, rules: Iterable[Rule], tree: OrgTree, staff: Sequence[Staff],
          conflicts: Conflicts = (), *, intake_unit_id: int | None = None,
          start_unit_id: int | None = None) -> Decision:
    """Decide who holds a case, with the reasons for each step.

    ``start_unit_id`` re-routes a case that already has a handling unit (its holder left, or is
    now excluded): the chain starts there instead of at the rules.
    """
    holders = holders_for(facts, staff, conflicts)
    walk = _Walk(holders, tree)
    if holders.accused is not None:
        return _route_to_superior(holders.accused, walk, intake_unit_id)
    if holders.accused_user_id is not None and facts.kind == DENUNCIATION:
        walk.reasons.append(Reason("accused_unknown", {"user": holders.accused_user_id}))
    rule_id = None
    if start_unit_id is not None and start_unit_id in tree:
        unit_id: int | None = start_unit_id
        walk.reasons.append(Reason("kept_handling_unit", {"unit": start_unit_id}))
    else:
        unit_id, rule_id = _handling_unit(facts, rules, tree, intake_unit_id, walk)
    chosen = None
    if unit_id is not None:
        chosen = walk.try_office(unit_id) or walk.try_leaders_above(unit_id)
    chosen = chosen or _to_intake(walk, intake_unit_id, None) or walk.last_resort()
    return walk.decide(chosen, rule_id, unit_id if unit_id is not None else intake_unit_id)


def may_hold(user_id: int, facts: CaseFacts, staff: Sequence[Staff],
             conflicts: Conflicts = ()) -> bool:
    """Tell whether a staff member may hold a case (see the module docstring)."""
    member = next((m for m in staff if m.id == user_id), None)
    return member is not None and holders_for(facts, staff, conflicts).may_hold(member)
