"""Statutory deadlines: the rulebook as data and the milestones it gives a case (pure).

The rulebook (survey/rulebooks/default.yaml describes its format) lists each kind's milestones.
Two ways to lengthen a period are both data: a milestone's ``days`` may vary with the case
(complex, remote area), which applies as soon as the case is so classified (complaints); and a
milestone may allow ``extensions``, which apply only when an officer grants them, capped by what
the case's complexity allows (denunciations). For denunciations the ``complex`` flag also means
"several sites must be checked" for the accept milestone.

Pauses (the case waits on the citizen) push a due date later by the pause's length in the
milestone's own unit. Everything here takes its dates (and the rulebook's text) as arguments;
nothing reads the clock or a file: ``services.milestones.rulebook`` reads the shipped one.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import IntEnum, StrEnum
from typing import Any

from survey.rules.messages import Message
from survey.rules.specs import (
    LANGS,
    SpecError,
    SpecFileError,
    check_bilingual,
    check_code,
    load_yaml,
)
from survey.rules.workdays import (
    WorkCalendar,
    add_calendar_days,
    add_working_days,
    working_days_between,
)

ACCEPT = "accept"  # the milestone whose due date is the latest lawful acceptance
LENGTH_KEYS = ("normal", "complex", "remote", "remote-complex")
COMPLEXITY_KEYS = ("normal", "complex", "especially-complex")


class DayUnit(StrEnum):
    WORKING = "working"
    CALENDAR = "calendar"


class StartsFrom(StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"


class Complexity(IntEnum):
    NORMAL = 0
    COMPLEX = 1
    ESPECIALLY_COMPLEX = 2


@dataclass(frozen=True)
class MilestoneRule:
    name: str
    label: Mapping[str, str]
    unit: DayUnit
    lengths: Mapping[str, int]
    starts_from: StartsFrom
    basis: str
    optional: bool = False
    extension_days: int = 0  # the length of each extension an officer may grant
    extensions_allowed: tuple[int, int, int] = (0, 0, 0)  # how many, by Complexity

    def length(self, complexity: int, remote: bool) -> int:
        """Return the period for a case of this complexity and area, before extensions."""
        wanted = (("remote-complex", remote and complexity), ("complex", complexity),
                  ("remote", remote), ("normal", True))
        return next(self.lengths[key] for key, applies in wanted if applies and key in self.lengths)


@dataclass(frozen=True)
class Rulebook:
    kinds: Mapping[str, tuple[MilestoneRule, ...]]  # kind code -> milestones, in order

    @classmethod
    def parse(cls, text: str) -> Rulebook:
        """Parse a rulebook file's YAML text, or raise RulebookError listing every problem."""
        return parse_rulebook(text)

    @classmethod
    def validate(cls, data: Any) -> Rulebook:
        """Check a parsed rulebook, or raise RulebookError listing every problem."""
        return validate_rulebook(data)

    def rules_for(self, kind: str) -> tuple[MilestoneRule, ...]:
        """Return a kind's milestone rules or raise ValueError for an unknown kind."""
        if kind not in self.kinds:
            raise ValueError(f"the rulebook has no kind {kind!r}")
        return self.kinds[kind]


@dataclass(frozen=True)
class Milestone:
    name: str
    label: Mapping[str, str]
    due: date
    unit: DayUnit
    days: int  # the period counted, extensions included, pauses not
    basis: str
    starts_on: date  # the event the count runs from (not itself counted)
    paused_days: int = 0  # added by pauses, in ``unit``


class RulebookError(SpecFileError):
    """A rulebook file that cannot be used."""


def _is_count(value: Any, minimum: int = 1) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _parse_lengths(value: Any, where: str, errors: list[SpecError]) -> dict[str, int]:
    lengths = {"normal": value} if not isinstance(value, dict) else value
    if set(lengths) - set(LENGTH_KEYS) or "normal" not in lengths:
        errors.append(SpecError(where, Message.of("rulebook.lengths",
                                                  keys=", ".join(LENGTH_KEYS))))
    elif not all(_is_count(v) for v in lengths.values()):
        errors.append(SpecError(where, Message("rulebook.length_not_count")))
    elif {"complex", "remote"} <= set(lengths) and "remote-complex" not in lengths:
        errors.append(SpecError(where, Message("rulebook.remote_complex")))
    return lengths


def _parse_extensions(value: Any, where: str,
                      errors: list[SpecError]) -> tuple[()] | tuple[int, tuple[int, int, int]]:
    if value is None:
        return ()
    allowed = value.get("allowed") if isinstance(value, dict) else None
    counts = tuple(allowed.get(k, 0) for k in COMPLEXITY_KEYS) if isinstance(allowed, dict) else ()
    if not isinstance(value, dict) or not _is_count(value.get("days")):
        errors.append(SpecError(f"{where}.days", Message("rulebook.extension_days")))
    elif not isinstance(allowed, dict) or set(allowed) - set(COMPLEXITY_KEYS) \
            or not all(_is_count(c, 0) for c in counts) or list(counts) != sorted(counts):
        errors.append(SpecError(f"{where}.allowed", Message.of(
            "rulebook.extensions_allowed", keys=", ".join(COMPLEXITY_KEYS))))
    else:
        return value["days"], (counts[0], counts[1], counts[2])
    return ()


def _parse_milestone(data: Any, where: str, errors: list[SpecError]) -> MilestoneRule | None:
    if not isinstance(data, dict):
        errors.append(SpecError(where, Message("rulebook.milestone_not_mapping")))
        return None
    before = len(errors)
    check_code(data.get("name"), f"{where}.name", errors)
    check_bilingual(data.get("label"), f"{where}.label", errors)
    for key, enum in (("unit", DayUnit), ("starts_from", StartsFrom)):
        if data.get(key) not in {e.value for e in enum}:
            errors.append(SpecError(f"{where}.{key}", Message.of(
                "rulebook.one_of", values=", ".join(e.value for e in enum))))
    if not isinstance(data.get("basis"), str) or not data["basis"].strip():
        errors.append(SpecError(f"{where}.basis", Message("rulebook.basis")))
    if not isinstance(data.get("optional", False), bool):
        errors.append(SpecError(f"{where}.optional", Message("rulebook.boolean")))
    lengths = _parse_lengths(data.get("days"), f"{where}.days", errors)
    extensions = _parse_extensions(data.get("extensions"), f"{where}.extensions", errors)
    if len(errors) > before:
        return None
    label = {lang: data["label"][lang] for lang in LANGS}
    return MilestoneRule(data["name"], label, DayUnit(data["unit"]), lengths,
                         StartsFrom(data["starts_from"]), data["basis"].strip(),
                         data.get("optional", False), *extensions)


def _parse_list(items: Any, where: str, errors: list[SpecError]) -> list[MilestoneRule]:
    if not isinstance(items, list):
        errors.append(SpecError(where, Message("rulebook.not_list")))
        return []
    parsed = [_parse_milestone(item, f"{where}[{i}]", errors) for i, item in enumerate(items)]
    return [rule for rule in parsed if rule is not None]


def _parse_kind(code: str, data: Any, common: list[MilestoneRule],
                errors: list[SpecError]) -> tuple[MilestoneRule, ...]:
    where = f"kinds.{code}"
    check_code(code, where, errors)
    if isinstance(data, list) and not data:
        errors.append(SpecError(where, Message("rulebook.empty_kind")))
    rules = common + _parse_list(data, where, errors)
    names = [rule.name for rule in rules]
    for name in {n for n in names if names.count(n) > 1}:
        errors.append(SpecError(where, Message.of("rulebook.duplicate", name=name)))
    accept = next((r for r in rules if r.name == ACCEPT), None)
    needs_accept = any(r.starts_from is StartsFrom.ACCEPTED for r in rules)
    if needs_accept and (accept is None or accept.optional
                         or accept.starts_from is not StartsFrom.RECEIVED):
        errors.append(SpecError(where, Message.of(
            "rulebook.accept_needed", name=ACCEPT)))
    return tuple(rules)


def validate_rulebook(data: Any) -> Rulebook:
    """Check a parsed rulebook and return it, or raise RulebookError listing every problem."""
    if not isinstance(data, dict) or not isinstance(data.get("kinds"), dict) or not data["kinds"]:
        raise RulebookError([SpecError("kinds", Message("rulebook.no_kinds"))])
    errors: list[SpecError] = []
    if data.get("version", 1) != 1:
        errors.append(SpecError("version", Message("rulebook.version")))
    common = _parse_list(data.get("any_kind", []), "any_kind", errors)
    kinds = {str(code): _parse_kind(str(code), spec, common, errors)
             for code, spec in data["kinds"].items()}
    if errors:
        raise RulebookError(errors)
    return Rulebook(kinds)


def parse_rulebook(text: str) -> Rulebook:
    """Parse YAML text into a validated rulebook."""
    return validate_rulebook(load_yaml(text, RulebookError))


def _merge_pauses(paused: Sequence[tuple[date, date]]) -> list[tuple[date, date]]:
    merged: list[tuple[date, date]] = []
    for begin, end in sorted(paused):
        if end < begin:
            raise ValueError(f"a pause cannot end ({end}) before it begins ({begin})")
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((begin, end))
    return merged


_ADVANCE = {DayUnit.WORKING: add_working_days, DayUnit.CALENDAR: add_calendar_days}


def _calendar_days_between(_calendar: WorkCalendar, begin: date, end: date) -> int:
    return (end - begin).days


_SPAN = {DayUnit.WORKING: working_days_between, DayUnit.CALENDAR: _calendar_days_between}


def _due(calendar: WorkCalendar, unit: DayUnit, start: date, days: int,
         pauses: list[tuple[date, date]]) -> tuple[date, int]:
    """Return the due date and the days added by the pauses that began before it.

    Only the part of a pause after ``start`` counts; a pause covers the days after its first
    day up to and including its last (the day the citizen answers is not on the clock).
    """
    advance, span = _ADVANCE[unit], _SPAN[unit]
    extra = 0
    for begin, end in pauses:
        if end <= start:
            continue
        if begin >= advance(calendar, start, days + extra):
            break
        extra += span(calendar, max(begin, start), end)
    return advance(calendar, start, days + extra), extra


def _check_case(received: date, accepted: date | None, complexity: int,
                extensions_granted: int) -> None:
    if accepted is not None and accepted < received:
        raise ValueError("a case cannot be accepted before it is received")
    if complexity not in tuple(Complexity):
        raise ValueError("complexity is 0 (normal), 1 (complex) or 2 (especially complex)")
    if extensions_granted < 0:
        raise ValueError("extensions granted cannot be negative")


def compute_milestones(rulebook: Rulebook, calendar: WorkCalendar, kind: str, *, received: date,
                       accepted: date | None = None, complexity: int = 0, remote: bool = False,
                       extensions_granted: int = 0, paused: Sequence[tuple[date, date]] = (),
                       include: Collection[str] = ()) -> list[Milestone]:
    """Compute a case's milestones, in rulebook order.

    ``include`` names the optional milestones that apply (``forward`` when the case is outside
    the body's competence). Without ``accepted``, milestones counted from acceptance start at
    the accept milestone's due date: the latest lawful acceptance, the statutory worst case.
    Extensions beyond what ``complexity`` allows are not counted.
    """
    rules = rulebook.rules_for(kind)
    _check_case(received, accepted, complexity, extensions_granted)
    unknown = set(include) - {r.name for r in rules if r.optional}
    if unknown:
        raise ValueError(f"not an optional milestone of {kind}: {sorted(unknown)}")
    pauses = _merge_pauses(paused)
    done: dict[str, Milestone] = {}
    # milestones counted from receipt first: the accept milestone's due date may be needed
    for rule in sorted(rules, key=lambda r: r.starts_from is StartsFrom.ACCEPTED):
        if rule.optional and rule.name not in include:
            continue
        start = received
        if rule.starts_from is StartsFrom.ACCEPTED:
            start = accepted or done[ACCEPT].due
        granted = min(extensions_granted, rule.extensions_allowed[complexity])
        days = rule.length(complexity, remote) + granted * rule.extension_days
        due, extra = _due(calendar, rule.unit, start, days, pauses)
        done[rule.name] = Milestone(rule.name, dict(rule.label), due, rule.unit, days, rule.basis,
                                    start, extra)
    return [done[rule.name] for rule in rules if rule.name in done]


def milestones_as_json(milestones: Sequence[Milestone]) -> dict[str, list[dict[str, Any]]]:
    """Shape milestones as ``survey deadlines compute --format json`` prints them."""
    return {"milestones": [
        {"name": m.name, "due": m.due.isoformat(), "unit": m.unit.value, "days": m.days,
         "basis": m.basis}
        for m in milestones
    ]}
