"""Routing reasons in words: the case history and the "try it" box render them here.

The routing engine speaks in codes and ids (it is pure, and the audit trail keeps them as data);
this module turns them into sentences in the reader's language, with people's and units' names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from survey.extensions import db
from survey.models import CaseKind, RoutingRule, Unit, User
from survey.render.labels import KINDS


@dataclass(frozen=True)
class Names:
    users: Mapping[int, str]
    units: Mapping[int, str]
    rules: Mapping[int, str]

    # The ids below are read from a stored reason (JSON): an int, or None or anything else when
    # the reason names none, which reads as removed; Any says so to Mapping.get.

    def rule(self, rule_id: Any) -> str:
        return self.rules.get(rule_id, _("a removed rule"))

    def user(self, user_id: Any) -> str:
        return self.users.get(user_id, _("a former staff member"))

    def unit(self, unit_id: Any) -> str:
        return self.units.get(unit_id, _("a removed unit"))


def names_for(reasons: Iterable[Mapping]) -> Names:
    """Load the names the reasons mention, in two queries."""
    reasons = list(reasons)
    user_ids = {r.get("user") for r in reasons} - {None}
    unit_ids = {r.get("unit") for r in reasons} - {None}
    rule_ids = {r.get("rule") for r in reasons} - {None}
    rules = db.session.scalars(select(RoutingRule).where(RoutingRule.id.in_(rule_ids))).all() \
        if rule_ids else []
    unit_ids |= {rule.unit_id for rule in rules} - {None}
    users = dict(db.session.execute(select(User.id, User.display_name)
                                    .where(User.id.in_(user_ids))).all()) if user_ids else {}
    units = dict(db.session.execute(select(Unit.id, Unit.name)
                                    .where(Unit.id.in_(unit_ids))).all()) if unit_ids else {}
    return Names(users, units, {rule.id: rule_label(rule, units) for rule in rules})


def rule_label(rule: RoutingRule, units: Mapping[int, str]) -> str:
    """Name a rule by its note, else by what it matches: people read words, not rule numbers."""
    if rule.note:
        return f"“{rule.note}”"
    parts = [str(KINDS[CaseKind(rule.kind)]) if rule.kind in set(CaseKind) else None,
             rule.procedure_field, rule.topic, units.get(rule.unit_id) if rule.unit_id else None]
    words = " · ".join(part for part in parts if part)
    return f"“{words or _('every case')}”"


def _criteria(names: Iterable[str]) -> str:
    labels = {"kind": _("kind"), "unit_id": _("office"), "procedure_field": _("procedure field"),
              "topic": _("topic")}
    return ", ".join(labels.get(name, name) for name in names)


def describe(reason: Mapping, names: Names) -> str:
    """Say one routing reason (``{"code": …, params…}``) in the current language."""
    code = reason.get("code")
    user = names.user(reason.get("user"))
    unit = names.unit(reason.get("unit"))
    messages = {
        "rule_matched": lambda: _("The rule %(rule)s matched on %(criteria)s: %(unit)s handles "
                                  "it", rule=names.rule(reason.get("rule")), unit=unit,
                                  criteria=_criteria(reason.get("criteria", ()))),
        "rule_matched_any": lambda: _("The rule %(rule)s applies to every case: %(unit)s handles "
                                      "it", rule=names.rule(reason.get("rule")), unit=unit),
        "rule_outranked": lambda: _("The rule %(rule)s also matched but is less specific",
                                    rule=names.rule(reason.get("rule"))),
        "no_rule_case_unit": lambda: _("No routing rule matched: the office concerned, %(unit)s, "
                                       "handles it", unit=unit),
        "no_rule_intake": lambda: _("No routing rule matched and no office was named: the intake "
                                    "office, %(unit)s, receives it", unit=unit),
        "no_rule_no_unit": lambda: _("No routing rule matched and no office was named"),
        "kept_handling_unit": lambda: _("Routed again within the handling office, %(unit)s",
                                        unit=unit),
        "inactive": lambda: _("%(officer)s skipped: account not active", officer=user),
        "excluded_accused": lambda: _("%(officer)s excluded: named in the case", officer=user),
        "excluded_conflict": lambda: _("%(officer)s excluded: declared in conflict with the "
                                       "accused", officer=user),
        "excluded_own_unit": lambda: _("%(officer)s excluded: works in the office the accused "
                                       "leads", officer=user),
        "no_officer": lambda: _("No officer of %(unit)s can take it", unit=unit),
        "no_leader": lambda: _("No leader of %(unit)s can take it", unit=unit),
        "assigned": lambda: _("Assigned to %(officer)s (%(unit)s), who had the fewest open cases "
                              "(%(open)s)", officer=user, unit=unit, open=reason.get("open", 0)),
        "assigned_leader": lambda: _("Assigned to %(officer)s, a leader of %(unit)s",
                                     officer=user, unit=unit),
        "no_intake_office": lambda: _("No intake office is set (Administration, Routing)"),
        "intake_is_accused_unit": lambda: _("The intake office, %(unit)s, is the accused's own "
                                            "office: skipped", unit=unit),
        "to_intake": lambda: _("Nobody above could take it: sent to the intake office, %(unit)s",
                               unit=unit),
        "last_resort": lambda: _("Nobody in the usual chain could take it: given to %(officer)s "
                                 "(%(unit)s) as the last resort, to handle or to pass on",
                                 officer=user, unit=unit),
        "no_eligible_handler": lambda: _("Nobody may take this case: it waits in the Unassigned "
                                         "queue until a person is added or freed"),
        "accused_unknown": lambda: _("The person denounced is not on the staff list: routed by "
                                     "the rules"),
        "accused_is_leader": lambda: _("The accused leads %(unit)s: the case goes to the leaders "
                                       "above, never back into that office", unit=unit),
        "accused_is_officer": lambda: _("The accused works in %(unit)s: the case goes to its "
                                        "leader", unit=unit),
    }
    message = messages.get(str(code))
    return message() if message else str(code)


def describe_all(reasons: Iterable[Mapping]) -> list[str]:
    """Say every reason of a decision, loading the names they need once."""
    reasons = list(reasons)
    names = names_for(reasons)
    return [describe(reason, names) for reason in reasons]
