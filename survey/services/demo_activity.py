"""A year of believable survey answers for the demo, inserted in bulk.

Answers fall in the opening hours of working days only (Monday to Friday 07:30-11:30 and
13:30-17:00 Vietnam time, plus the decreed make-up Saturdays; never on a public holiday or an
administrator's day off), so the anomaly detector finds no answer out of hours. Volume follows the
seasons and each counter's dossiers; each counter has its own level of satisfaction; most answers
are the quick form, some the full SIPAS form, a few Decree 61 paper forms. One burst of taps at a
commune counter (an officer rating themselves) is planted for the inspector to find.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, insert, select

from survey.extensions import db
from survey.models import Answer, Counter, Response, TransactionCount, unit_procedures
from survey.models.base import utcnow
from survey.models.responses import Channel
from survey.rules.periods import LOCAL_TZ
from survey.rules.questionnaire_spec import Definition
from survey.services.questionnaires import current_version, definition_of

OPENING_HOURS = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))
MORNING_SHARE = 0.6  # citizens come early
# Dossiers a month through the year, before each unit's own size: fewer around Tết
# (January-February), more in the year-end rush.
SEASON = (0.95, 0.7, 1.0, 1.0, 1.05, 1.0, 0.95, 0.95, 1.0, 1.05, 1.1, 1.2)
WEEKDAY_VOLUME = (1.25, 1.05, 1.0, 1.0, 0.9, 0.7, 0.7)  # Monday busiest; a make-up Saturday less
FORMS = (("quick", 0.72, Channel.QR), ("sipas", 0.23, Channel.QR),
         ("decree61", 0.05, Channel.PAPER))
BURST_SIZE, BURST_MIN_COUNT = 6, 500  # planted only in a demo of some size
BURST_COUNTER = "NB-GV-Q1"  # a commune counter (demo.COMMUNES)
COMMENTS = {
    "low": ["Chờ quá lâu, chỉ có một quầy làm việc.",
            "Hồ sơ bị trả lại hai lần, mỗi lần yêu cầu một giấy tờ khác.",
            "Cán bộ trả lời thiếu nhiệt tình. Liên hệ tôi: 0912 345 678."],
    "high": ["Cán bộ hướng dẫn tận tình, nhanh gọn.",
             "Thủ tục rõ ràng, có chỗ ngồi chờ và nước uống.",
             "Nhận kết quả sớm hơn hẹn một ngày."],
}


@dataclass(frozen=True)
class Slot:
    """One opening period of one working day, in UTC, and how many answers it draws."""

    start: datetime
    minutes: int
    weight: float


def opening_slots(first: date, last: date, now: datetime, is_working_day) -> list[Slot]:
    """The opening periods from ``first`` to ``last`` (local dates) that began before ``now``,
    cut at ``now``, each weighted by season, weekday and its share of the day."""
    slots = []
    day = first
    while day <= last:
        if is_working_day(day):
            for number, (opens, closes) in enumerate(OPENING_HOURS):
                start = datetime.combine(day, opens, LOCAL_TZ).astimezone(UTC)
                end = min(datetime.combine(day, closes, LOCAL_TZ).astimezone(UTC), now)
                minutes = int((end - start).total_seconds() // 60)
                if minutes > 0:
                    share = MORNING_SHARE if number == 0 else 1 - MORNING_SHARE
                    full = (closes.hour * 60 + closes.minute) - (opens.hour * 60 + opens.minute)
                    slots.append(Slot(start, minutes, SEASON[day.month - 1]
                                      * WEEKDAY_VOLUME[day.weekday()] * share * minutes / full))
        day += timedelta(days=1)
    return slots


def is_opening_time(moment: datetime, is_working_day) -> bool:
    """Tell whether ``moment`` falls in the opening hours of a working day (Vietnam time)."""
    local = moment.astimezone(LOCAL_TZ)
    return is_working_day(local.date()) and any(
        opens <= local.time() < closes for opens, closes in OPENING_HOURS)


def working_day_rule(first: date, last: date):
    """``is_working_day(day)`` from the Vietnamese calendar with the administrator's changes."""
    from survey.services.flags import calendar_closures

    closures = calendar_closures(first, last)
    return lambda day: day not in closures.days_off and (
        day.weekday() < 5 or day in closures.working_weekend_days)


def answers_for(definition: Definition, mood: int, rng: random.Random) -> dict[str, int | None]:
    """Answers of one respondent whose mood is 1-5, each on its question's own scale."""
    answers: dict[str, int | None] = {}
    for question in definition.questions:
        if question.no_opinion and rng.random() < 0.05:
            answers[question.code] = None
        elif question.required or rng.random() < 0.8:
            values = sorted(definition.scale_values(question))
            level = mood + rng.choice([-1, 0, 0, 0, 1])
            lean = _lean(question.code)
            if rng.random() < abs(lean):
                level += 1 if lean > 0 else -1
            level = max(1, min(5, level))
            answers[question.code] = values[round((level - 1) / 4 * (len(values) - 1))]
    return answers


def _lean(code: str) -> float:
    """How often a criterion is rated a step above (or below) the respondent's mood, fixed by its
    code, so criteria and elements differ as in a real survey; the overall question never."""
    return 0.0 if code == "overall" else random.Random(f"lean:{code}").uniform(-0.35, 0.25)


def _counter_weights(counters: Sequence[Counter]) -> list[float]:
    """Each counter's share of the answers: its unit's dossiers split between its counters."""
    dossiers = dict(db.session.execute(select(TransactionCount.unit_id,
                                              func.sum(TransactionCount.transactions))
                                       .group_by(TransactionCount.unit_id)).all())
    per_unit: dict[int, int] = {}
    for counter in counters:
        per_unit[counter.unit_id] = per_unit.get(counter.unit_id, 0) + 1
    return [max(dossiers.get(c.unit_id) or 0, 1000) / per_unit[c.unit_id] for c in counters]


def _mood(rng: random.Random, level: float, month: int) -> int:
    """A respondent's mood at a counter whose usual level is ``level``; the rush costs a little."""
    rush = 0.2 if month in (11, 12) else 0.0
    return max(1, min(5, round(rng.gauss(level - rush, 0.85))))


def _procedures_by_unit() -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for unit_id, procedure_id in db.session.execute(
            select(unit_procedures.c.unit_id, unit_procedures.c.procedure_id)
            .order_by(unit_procedures.c.unit_id, unit_procedures.c.procedure_id)):
        found.setdefault(unit_id, []).append(procedure_id)
    return found


def add_synthetic_responses(count: int, seed: int = 1, days: int = 365,
                            now: datetime | None = None) -> int:
    """Insert ``count`` answers over the last ``days`` in opening hours; a re-run adds none twice.

    The answers are drawn from ``seed`` and ``now``: the same call on the same day makes the
    same answers, and a key already stored (``demo:<seed>:<n>``) is never inserted again.
    """
    now = now or utcnow()
    today = now.astimezone(LOCAL_TZ).date()
    first = today - timedelta(days=days - 1)
    slots = opening_slots(first, today, now, working_day_rule(first, today))
    counters = list(db.session.scalars(select(Counter).order_by(Counter.id)))
    forms = [(version, share, channel) for code, share, channel in FORMS
             if (version := current_version(code)) is not None]
    if count <= 0 or not slots or not counters or not forms:
        return 0
    prefix = f"demo:{seed}:"
    existing = set(db.session.scalars(
        select(Response.idempotency_key).where(Response.idempotency_key.like(prefix + "%"))))
    rng = random.Random(seed)
    planted = BURST_SIZE if count >= BURST_MIN_COUNT else 0
    drawn = zip(rng.choices(slots, weights=[s.weight for s in slots], k=count - planted),
                rng.choices(counters, weights=_counter_weights(counters), k=count - planted),
                strict=True)
    # Each counter's usual mood: from about 70% satisfied at the weakest to 90% at the best.
    levels = {c.id: random.Random(f"{seed}:{c.code}").uniform(4.0, 4.8) for c in counters}
    procedures = _procedures_by_unit()
    rows: list[tuple[dict, dict]] = []
    for number, (slot, counter) in enumerate(drawn):
        version, _share, channel = rng.choices(forms, weights=[f[1] for f in forms])[0]
        moment = slot.start + timedelta(seconds=int(rng.uniform(0, slot.minutes * 60)))
        mood = _mood(rng, levels[counter.id], moment.astimezone(LOCAL_TZ).month)
        answers = answers_for(definition_of(version), mood, rng)
        offered = procedures.get(counter.unit_id)
        procedure_id = rng.choice(offered) if offered and rng.random() < 0.7 else None
        comment = (rng.choice(COMMENTS["low" if mood <= 2 else "high"])
                   if definition_of(version).comment and rng.random() < 0.04 else None)
        rows.append(({"questionnaire_version_id": version.id, "unit_id": counter.unit_id,
                      "counter_id": counter.id, "officer_id": counter.officer_on_duty_id,
                      "procedure_id": procedure_id, "channel": channel, "submitted_at": moment,
                      "comment": comment, "idempotency_key": f"{prefix}{number}"}, answers))
    if planted:
        rows.extend(_burst(prefix, counters, slots, forms[0][0], now))
    return _insert([(r, a) for r, a in rows if r["idempotency_key"] not in existing])


def _burst(prefix: str, counters: Sequence[Counter], slots: Sequence[Slot], version,
           now: datetime) -> list[tuple[dict, dict]]:
    """Six "very satisfied" taps in under two minutes at one commune counter, some weeks ago."""
    counter = next((c for c in counters if c.code == BURST_COUNTER), counters[-1])
    slot = min(slots, key=lambda s: abs(s.start - (now - timedelta(days=40))))
    start = slot.start + timedelta(minutes=min(25, slot.minutes // 2))
    answers = {q.code: 5 for q in definition_of(version).questions}
    return [({"questionnaire_version_id": version.id, "unit_id": counter.unit_id,
              "counter_id": counter.id, "officer_id": counter.officer_on_duty_id,
              "procedure_id": None, "channel": Channel.QR,
              "submitted_at": start + timedelta(seconds=20 * i), "comment": None,
              "idempotency_key": f"{prefix}burst:{i}"}, answers) for i in range(BURST_SIZE)]


def _insert(rows: list[tuple[dict, dict]], chunk: int = 1000) -> int:
    """Insert responses and their answers in bulk, ``chunk`` responses per statement."""
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        db.session.execute(insert(Response), [response for response, _answers in part])
        keys = [response["idempotency_key"] for response, _answers in part]
        ids = dict(db.session.execute(select(Response.idempotency_key, Response.id)
                                      .where(Response.idempotency_key.in_(keys))).all())
        db.session.execute(insert(Answer), [
            {"response_id": ids[response["idempotency_key"]], "question_code": code,
             "value": value} for response, answers in part for code, value in answers.items()])
    db.session.flush()
    return len(rows)
