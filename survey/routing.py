"""Case routing: the handling unit and officer, with conflict-of-interest exclusions (pure).

Rules are data. A rule matches a case when every criterion it sets matches (its unit criterion
matches that unit and every unit below it). Among matching rules the most specific wins, in this
exact order: (1) more criteria set; (2) a closer unit: the case's own unit, then its parent, and
so on, a rule without a unit criterion coming after any unit match; (3) the lowest rule id.

Conflict of interest: nobody named in a case (``accused_user_id``) handles it, nor anyone an
administrator declared in conflict with them (declared pairs only; the relation is not
transitive). A denunciation naming an officer skips the rules and goes to that officer's
superior: a leader of the accused's unit, or of the parent unit when the accused is a leader
there, walking further up while a level has no eligible leader.

Every decision carries reasons the "try it" box shows: a code, its parameters, and a message
translated only when rendered.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

DENUNCIATION = "denunciation"
CRITERIA = ("kind", "unit_id", "procedure_field", "topic")
CRITERION_LABELS = {"kind": _l("kind"), "unit_id": _l("unit"),
                    "procedure_field": _l("procedure field"), "topic": _l("topic")}
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
class Org:
    parent_of: Mapping[int, int | None]

    def ancestors(self, unit_id: int) -> tuple[int, ...]:
        """Return the units above ``unit_id``, closest first; raise ValueError on a cycle."""
        found: list[int] = []
        parent = self.parent_of.get(unit_id)
        while parent is not None:
            if parent == unit_id or parent in found:
                raise ValueError(f"the unit tree has a cycle through unit {parent}")
            found.append(parent)
            parent = self.parent_of.get(parent)
        return tuple(found)

    def lineage(self, unit_id: int) -> tuple[int, ...]:
        """Return the unit itself, then its ancestors, closest first."""
        return (unit_id, *self.ancestors(unit_id))


@dataclass(frozen=True)
class Staff:
    id: int
    unit_id: int
    is_leader: bool = False
    active: bool = True
    open_cases: int = 0
    name: str = ""

    @property
    def display(self) -> str:
        return self.name or f"#{self.id}"


@dataclass(frozen=True)
class Reason:
    code: str
    params: Mapping[str, object]
    # a lazy string renders (and needs an app) when compared or printed: keep it out of both
    message: object = field(compare=False, repr=False)


@dataclass(frozen=True)
class Decision:
    handling_unit_id: int | None
    assignee_id: int | None
    rule_id: int | None
    reasons: list[Reason]

    def codes(self) -> list[str]:
        """List the reason codes, in order."""
        return [reason.code for reason in self.reasons]


class _Joined:
    """Lazy strings joined with commas, rendered only when the message is shown."""

    def __init__(self, parts: Iterable[object]):
        self.parts = tuple(parts)

    def __str__(self) -> str:
        return ", ".join(str(part) for part in self.parts)


_MESSAGES = {
    "rule_matched": lambda p: _l("Rule #%(rule)d matched on: %(criteria)s", rule=p["rule"],
                                 criteria=_Joined(CRITERION_LABELS[c] for c in p["criteria"])),
    "rule_matched_any": lambda p: _l("Rule #%(rule)d matched: it applies to every case",
                                     rule=p["rule"]),
    "rule_outranked": lambda p: _l("Rule #%(rule)d also matched but is less specific",
                                   rule=p["rule"]),
    "no_rule_matched": lambda p: _l("No routing rule matched this case"),
    "assigned": lambda p: _l("Assigned to %(officer)s, who has the fewest open cases (%(open)d)",
                             officer=p["officer"], open=p["open"]),
    "no_eligible_officer": lambda p: _l("No eligible officer in unit #%(unit)d", unit=p["unit"]),
    "inactive": lambda p: _l("%(officer)s skipped: not active", officer=p["officer"]),
    "excluded_accused": lambda p: _l("%(officer)s excluded: named in the case",
                                     officer=p["officer"]),
    "excluded_conflict": lambda p: _l("%(officer)s excluded: declared in conflict with the accused",
                                      officer=p["officer"]),
    "accused_unknown": lambda p: _l("The accused officer is not on the staff list: routed by the "
                                    "rules, the accused excluded"),
    "accused_is_leader": lambda p: _l("The accused leads their unit: looking one level up"),
    "no_eligible_leader": lambda p: _l("No eligible leader in unit #%(unit)d: looking one level up",
                                       unit=p["unit"]),
    "sent_to_unit_leader": lambda p: _l("Sent to the leader of the accused's unit"),
    "sent_to_higher_leader": lambda p: _l("Sent to a leader of unit #%(unit)d, above the "
                                          "accused's unit", unit=p["unit"]),
    "no_eligible_superior": lambda p: _l("No eligible superior above the accused: choose one by "
                                         "hand"),
}


def _reason(code: str, **params: object) -> Reason:
    return Reason(code, params, _MESSAGES[code](params))


def is_excluded(user_id: int, accused_user_id: int | None, conflicts: Conflicts) -> bool:
    """Tell whether a user may not handle a case naming ``accused_user_id``."""
    if accused_user_id is None:
        return False
    return user_id == accused_user_id or frozenset((user_id, accused_user_id)) in conflicts


def eligible_assignees(staff: Iterable[Staff], unit_id: int, accused_user_id: int | None,
                       conflicts: Conflicts, *, leaders_only: bool = False) -> list[Staff]:
    """Return who may take a case in a unit: officers before leaders, then fewest open cases,
    then lowest id (a leader handles cases only when no officer of the unit can)."""
    eligible = [member for member in staff
                if member.unit_id == unit_id and member.active
                and (member.is_leader or not leaders_only)
                and not is_excluded(member.id, accused_user_id, conflicts)]
    return sorted(eligible, key=lambda member: (member.is_leader, member.open_cases, member.id))


def _skipped(staff: Iterable[Staff], unit_id: int, accused_user_id: int | None,
             conflicts: Conflicts, leaders_only: bool) -> list[Reason]:
    """Explain who in a unit was passed over, lowest id first."""
    reasons = []
    for member in sorted(staff, key=lambda m: m.id):
        if member.unit_id != unit_id or (leaders_only and not member.is_leader):
            continue
        if member.id == accused_user_id:
            reasons.append(_reason("excluded_accused", user=member.id, officer=member.display))
        elif is_excluded(member.id, accused_user_id, conflicts):
            reasons.append(_reason("excluded_conflict", user=member.id, officer=member.display))
        elif not member.active:
            reasons.append(_reason("inactive", user=member.id, officer=member.display))
    return reasons


def _unit_distance(rule: Rule, facts: CaseFacts, org: Org) -> float | None:
    """Return how far above the case's unit the rule's unit is (0: the unit), None if no match."""
    if rule.unit_id is None:
        return math.inf
    if facts.unit_id is None:
        return None
    lineage = org.lineage(facts.unit_id)
    return lineage.index(rule.unit_id) if rule.unit_id in lineage else None


def matching_rules(facts: CaseFacts, rules: Iterable[Rule], org: Org) -> list[Rule]:
    """Return the rules that match a case, most specific first (see the module's ordering)."""
    ranked = []
    for rule in rules:
        distance = _unit_distance(rule, facts, org)
        if distance is None or any(getattr(rule, name) != getattr(facts, name)
                                   for name in rule.criteria() if name != "unit_id"):
            continue
        ranked.append(((-len(rule.criteria()), distance, rule.id), rule))
    return [rule for _key, rule in sorted(ranked, key=lambda pair: pair[0])]


def _assign(unit_id: int, staff: Sequence[Staff], accused_user_id: int | None,
            conflicts: Conflicts) -> tuple[int | None, list[Reason]]:
    reasons = _skipped(staff, unit_id, accused_user_id, conflicts, leaders_only=False)
    eligible = eligible_assignees(staff, unit_id, accused_user_id, conflicts)
    if not eligible:
        return None, [*reasons, _reason("no_eligible_officer", unit=unit_id)]
    chosen = eligible[0]
    return chosen.id, [*reasons, _reason("assigned", user=chosen.id, officer=chosen.display,
                                         open=chosen.open_cases)]


def _route_to_superior(accused: Staff, org: Org, staff: Sequence[Staff],
                       conflicts: Conflicts) -> Decision:
    """Send a denunciation to a leader above the accused, never to the accused or a conflict."""
    levels = org.lineage(accused.unit_id)
    reasons = []
    if accused.is_leader:
        levels = levels[1:]
        reasons.append(_reason("accused_is_leader", unit=accused.unit_id))
    for unit_id in levels:
        reasons += _skipped(staff, unit_id, accused.id, conflicts, leaders_only=True)
        leaders = eligible_assignees(staff, unit_id, accused.id, conflicts, leaders_only=True)
        if leaders:
            if unit_id == accused.unit_id:
                reasons.append(_reason("sent_to_unit_leader", unit=unit_id, user=leaders[0].id))
            else:
                reasons.append(_reason("sent_to_higher_leader", unit=unit_id, user=leaders[0].id))
            return Decision(unit_id, leaders[0].id, None, reasons)
        reasons.append(_reason("no_eligible_leader", unit=unit_id))
    return Decision(None, None, None, [*reasons, _reason("no_eligible_superior")])


def route(facts: CaseFacts, rules: Iterable[Rule], org: Org, staff: Sequence[Staff],
          conflicts: Conflicts = ()) -> Decision:
    """Decide the handling unit and officer of a case, with the reasons for each step."""
    reasons: list[Reason] = []
    if facts.kind == DENUNCIATION and facts.accused_user_id is not None:
        accused = next((m for m in staff if m.id == facts.accused_user_id), None)
        if accused is not None:
            return _route_to_superior(accused, org, staff, conflicts)
        reasons.append(_reason("accused_unknown", user=facts.accused_user_id))
    ranked = matching_rules(facts, rules, org)
    if not ranked:
        return Decision(None, None, None, [*reasons, _reason("no_rule_matched")])
    rule = ranked[0]
    criteria = rule.criteria()
    if criteria:
        reasons.append(_reason("rule_matched", rule=rule.id, criteria=criteria))
    else:
        reasons.append(_reason("rule_matched_any", rule=rule.id))
    reasons += [_reason("rule_outranked", rule=other.id) for other in ranked[1:]]
    assignee, assigned = _assign(rule.handling_unit_id, staff, facts.accused_user_id, conflicts)
    return Decision(rule.handling_unit_id, assignee, rule.id, reasons + assigned)
