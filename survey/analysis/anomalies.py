"""Anomaly rules over survey responses (pure: plain records in, flags out; no Flask, no database).

A flag says that a response looks suspicious, never that it is false: flags are kept beside the
responses, and only an inspector's exclusion (with a reason, audited) takes one out of a figure.
The thresholds are data (survey/rulebooks/anomaly_rules.yaml, read by ``services.flags``; this
module parses the text and says what is wrong as message codes); each rule's docstring says why it
exists. ``repeat_browser`` is not decided here: responses are anonymous, so only the browser's own
cookie can tell, at submission time (survey/recent.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from survey.rules.messages import Message
from survey.rules.periods import LOCAL_TZ
from survey.rules.specs import SpecError, SpecFileError, load_yaml

BURST, IDENTICAL_RUN, OUT_OF_HOURS, REPEAT_BROWSER = (
    "burst", "identical_run", "out_of_hours", "repeat_browser")
KINDS = (BURST, IDENTICAL_RUN, OUT_OF_HOURS, REPEAT_BROWSER)
CHANNELS = ("qr", "kiosk", "paper", "online")
SATURDAY, SUNDAY = 5, 6
SECTION_KEYS = {
    "burst": ("enabled", "channels", "min_responses", "within_minutes"),
    "identical_run": ("enabled", "channels", "min_responses", "min_answers"),
    "out_of_hours": ("enabled", "channels", "grace_minutes", "weekday", "saturday", "sunday"),
}

Hours = tuple[time, time] | None  # opening and closing time of a day, None when closed


@dataclass(frozen=True)
class Record:
    """What the rules read of one response; ``submitted_at`` is an aware UTC datetime."""

    id: int
    counter_id: int | None
    channel: str
    submitted_at: datetime
    version_id: int | None = None  # the questionnaire version answered
    answers: tuple[tuple[str, int | None], ...] = ()  # (question code, value), sorted by code


@dataclass(frozen=True)
class BurstRule:
    """Many answers from one counter within minutes: one person (or a script) answering again
    and again. A counter takes several minutes to serve a citizen, so five answers in three
    minutes cannot come from five served citizens."""

    enabled: bool = True
    min_responses: int = 5
    within_minutes: int = 3
    # Paper forms carry the time they were typed in (or noon of their day), not when answered.
    channels: tuple[str, ...] = ("qr", "kiosk", "online")


@dataclass(frozen=True)
class IdenticalRunRule:
    """Consecutive answers at one counter that are all the same: forms filled in by one hand.
    Short forms are left out (``min_answers``): on the two-question quick form, satisfied
    citizens in a row all answering "5, 5" is ordinary."""

    enabled: bool = True
    min_responses: int = 4
    min_answers: int = 3
    channels: tuple[str, ...] = CHANNELS


@dataclass(frozen=True)
class OpeningHoursRule:
    """An answer at the counter while the office is closed: nobody was served then. Only the
    channels used at the counter are checked; ``grace_minutes`` after closing lets a citizen
    served just before closing answer on the way out."""

    enabled: bool = True
    weekday: Hours = (time(7, 0), time(17, 30))
    saturday: Hours = (time(7, 30), time(11, 30))
    sunday: Hours = None
    grace_minutes: int = 60
    channels: tuple[str, ...] = ("qr", "kiosk")


@dataclass(frozen=True)
class Rules:
    burst: BurstRule = field(default_factory=BurstRule)
    identical_run: IdenticalRunRule = field(default_factory=IdenticalRunRule)
    out_of_hours: OpeningHoursRule = field(default_factory=OpeningHoursRule)


@dataclass(frozen=True)
class Closures:
    """The calendar the opening hours follow: holidays and extra days off (closed all day), and
    make-up working weekend days (weekday hours)."""

    days_off: Collection[date] = frozenset()
    working_weekend_days: Collection[date] = frozenset()


def find_anomalies(records: Sequence[Record], rules: Rules,
                   closures: Closures | None = None) -> dict[int, set[str]]:
    """Return ``{response id: kinds}`` for the flagged records (records sorted by time)."""
    closures = closures or Closures()
    found: dict[int, set[str]] = defaultdict(set)
    for kind, ids in ((BURST, find_bursts(records, rules.burst)),
                      (IDENTICAL_RUN, find_identical_runs(records, rules.identical_run)),
                      (OUT_OF_HOURS, find_out_of_hours(records, rules.out_of_hours, closures))):
        for response_id in ids:
            found[response_id].add(kind)
    return dict(found)


def _by_counter(records: Iterable[Record], channels: tuple[str, ...]) -> list[list[Record]]:
    """The records of the given channels by counter, each list in time order."""
    groups: dict[int, list[Record]] = defaultdict(list)
    for record in records:
        if record.counter_id is not None and record.channel in channels:
            groups[record.counter_id].append(record)
    return [sorted(items, key=lambda r: (r.submitted_at, r.id)) for items in groups.values()]


def find_bursts(records: Iterable[Record], rule: BurstRule) -> set[int]:
    """Every record in a span of ``within_minutes`` (inclusive) holding ``min_responses`` or more
    records of one counter."""
    if not rule.enabled:
        return set()
    window = timedelta(minutes=rule.within_minutes)
    flagged: set[int] = set()
    for items in _by_counter(records, rule.channels):
        left, marked = 0, -1  # items up to ``marked`` are flagged already
        for right, record in enumerate(items):
            while record.submitted_at - items[left].submitted_at > window:
                left += 1
            if right - left + 1 >= rule.min_responses:
                flagged.update(item.id for item in items[max(left, marked + 1):right + 1])
                marked = right
    return flagged


def find_identical_runs(records: Iterable[Record], rule: IdenticalRunRule) -> set[int]:
    """Every record in a run of ``min_responses`` or more consecutive records of one counter
    with the same version and answers; a record with fewer than ``min_answers`` answers breaks
    a run."""
    if not rule.enabled:
        return set()
    flagged: set[int] = set()
    for items in _by_counter(records, rule.channels):
        keys = [(r.version_id, r.answers) if len(r.answers) >= rule.min_answers else None
                for r in items]
        start = 0
        for end in range(1, len(items) + 1):
            if end < len(items) and keys[end] is not None and keys[end] == keys[start]:
                continue
            if keys[start] is not None and end - start >= rule.min_responses:
                flagged.update(item.id for item in items[start:end])
            start = end
    return flagged


def find_out_of_hours(records: Iterable[Record], rule: OpeningHoursRule,
                      closures: Closures) -> set[int]:
    """Every record of a counter channel submitted outside the opening hours (plus grace)."""
    if not rule.enabled:
        return set()
    return {r.id for r in records
            if r.channel in rule.channels and is_out_of_hours(r.submitted_at, rule, closures)}


def is_out_of_hours(moment: datetime, rule: OpeningHoursRule, closures: Closures) -> bool:
    """Tell whether ``moment`` falls outside the local opening hours, grace after closing
    included (both ends inclusive)."""
    local = moment.astimezone(LOCAL_TZ)
    day = local.date()
    if day in closures.days_off:
        return True
    if day in closures.working_weekend_days:
        hours = rule.weekday
    else:
        hours = {SATURDAY: rule.saturday, SUNDAY: rule.sunday}.get(day.weekday(), rule.weekday)
    if hours is None:
        return True
    opens = datetime.combine(day, hours[0], tzinfo=LOCAL_TZ)
    closes = datetime.combine(day, hours[1], tzinfo=LOCAL_TZ)
    return not opens <= local <= closes + timedelta(minutes=rule.grace_minutes)


def carry_over(records: Sequence[Record], rules: Rules) -> list[Record]:
    """The last records that a burst or a run continuing in the next records may include.

    Feeding them again with the next chunk (of one counter, in time order) finds every burst and
    run that spans the two; a record flagged twice is flagged once.
    """
    if not records:
        return []
    start = len(records)
    if rules.burst.enabled:
        latest = records[-1].submitted_at - timedelta(minutes=rules.burst.within_minutes)
        while start > 0 and records[start - 1].submitted_at >= latest:
            start -= 1
    if rules.identical_run.enabled:
        needed, index = rules.identical_run.min_responses - 1, len(records)
        while needed > 0 and index > 0:
            index -= 1
            needed -= records[index].channel in rules.identical_run.channels
        start = min(start, index)
    return list(records[start:])


# ---- the rules file ------------------------------------------------------------------------------

class AnomalyRulesError(SpecFileError):
    """A rules file that cannot be used."""


def read_rules(text: str) -> Rules:
    """Parse and check the text of an anomaly rules file (YAML)."""
    return parse_rules(load_yaml(text, AnomalyRulesError))


def parse_rules(data: Any) -> Rules:
    """Check a parsed rules file (missing keys take the defaults); raise AnomalyRulesError."""
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise AnomalyRulesError([SpecError("file", Message("anomaly_rules.not_mapping"))])
    errors: list[SpecError] = []
    sections = {}
    for name, keys in SECTION_KEYS.items():
        section = data.get(name) or {}
        if not isinstance(section, dict):
            errors.append(SpecError(name, Message("anomaly_rules.rule_not_mapping")))
            section = {}
        errors += [SpecError(f"{name}.{key}", Message("anomaly_rules.unknown_setting"))
                   for key in section if key not in keys]
        sections[name] = section
    burst = _rule(sections["burst"], "burst", errors,
                  ints=("min_responses", "within_minutes"))
    run = _rule(sections["identical_run"], "identical_run", errors,
                ints=("min_responses", "min_answers"))
    hours = _rule(sections["out_of_hours"], "out_of_hours", errors,
                  ints=("grace_minutes",), zero_ok=True)
    for day in ("weekday", "saturday", "sunday"):
        if day in sections["out_of_hours"]:
            hours[day] = _hours(sections["out_of_hours"][day], f"out_of_hours.{day}", errors)
    if errors:
        raise AnomalyRulesError(errors)
    return Rules(BurstRule(**burst), IdenticalRunRule(**run), OpeningHoursRule(**hours))


def _rule(section: dict[str, Any], where: str, errors: list[SpecError], *,
          ints: tuple[str, ...], zero_ok: bool = False) -> dict[str, Any]:
    """A rule's keyword arguments from its ``section``: enabled, channels and ``ints``."""
    values: dict[str, Any] = {}
    if "enabled" in section:
        if not isinstance(section["enabled"], bool):
            errors.append(SpecError(f"{where}.enabled", Message("anomaly_rules.boolean")))
        values["enabled"] = bool(section["enabled"])
    least = 0 if zero_ok else 1
    for key in ints:
        if key in section:
            value = section[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                errors.append(SpecError(f"{where}.{key}",
                                        Message.of("anomaly_rules.at_least", n=least)))
            values[key] = value
    if "channels" in section:
        channels = section["channels"]
        if not isinstance(channels, list) or any(c not in CHANNELS for c in channels):
            errors.append(SpecError(f"{where}.channels", Message.of(
                "anomaly_rules.channels", choices=", ".join(CHANNELS))))
        else:
            values["channels"] = tuple(channels)
    return values


def _hours(value: Any, where: str, errors: list[SpecError]) -> Hours:
    """``"HH:MM-HH:MM"`` as (opens, closes); ``closed`` (or nothing) as None."""
    if value in (None, "closed"):
        return None
    hours: Hours
    try:
        opens, closes = (time.fromisoformat(part.strip()) for part in str(value).split("-"))
        hours = (opens, closes) if opens < closes else None
    except ValueError:
        hours = None
    if hours is None:
        errors.append(SpecError(where, Message("anomaly_rules.hours")))
    return hours
