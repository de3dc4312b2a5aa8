"""Anomaly flags on the database: incremental scans, the command, paper imports, the submission
cookie, the export column, and the inspector's audited exclusions (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pandas as pd
import pytest
from flask_babel import force_locale
from sqlalchemy import delete, func, select

from survey.analysis.run import Scope
from survey.models import (
    AuditEvent,
    CalendarOverride,
    Channel,
    Counter,
    DayKind,
    FlagScan,
    Response,
    ResponseExclusion,
    ResponseFlag,
    User,
)
from survey.rules.masking import PHONE_TAG
from survey.rules.periods import LOCAL_TZ
from survey.services import ServiceError, exclusions, flags
from survey.services.audit import verify
from survey.services.exports import export_responses
from survey.services.indices import load_method, run_index
from survey.services.org import subtree_ids
from survey.services.questionnaires import current_version
from survey.services.responses import Submission, record_response
from survey.web import recent
from tests.conftest import submit_survey

MONDAY = date(2026, 3, 9)  # an ordinary working week, no holiday near
SIPAS_SAME = {"A1": 5, "A2": 5, "A3": 5, "overall": 5}


@pytest.fixture(autouse=True)
def english(app):
    with force_locale("en"):
        yield


def local(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=LOCAL_TZ).astimezone(UTC)


def counter(db, code: str = "NB-Q01") -> Counter:
    return db.session.scalars(select(Counter).where(Counter.code == code)).one()


def add(db, at: datetime, code: str = "NB-Q01", answers: dict | None = None,
        channel: Channel = Channel.QR, form: str = "quick") -> int:
    """Store one response at ``at``; quick answers differ each time unless given."""
    place = counter(db, code)
    response_id, _ = record_response(Submission(
        version_id=current_version(form).id, unit_id=place.unit_id, counter_id=place.id,
        answers=answers or {"overall": secrets.randbelow(5) + 1}, channel=channel,
        idempotency_key=secrets.token_urlsafe(18), submitted_at=at))
    db.session.commit()
    return response_id


def burst(db, code: str = "NB-Q01", hour: int = 9, size: int = 5) -> list[int]:
    return [add(db, local(MONDAY, hour) + timedelta(seconds=30 * i), code) for i in range(size)]


def flags_of(db) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for response_id, kind in db.session.execute(select(ResponseFlag.response_id,
                                                       ResponseFlag.kind)):
        found.setdefault(response_id, set()).add(kind)
    return found


def run_detect(app) -> dict:
    result = app.test_cli_runner().invoke(args=["flags", "detect", "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def user(db, username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def centre_ids(db) -> list[int]:
    return subtree_ids(counter(db).unit_id)


# ---- detection ------------------------------------------------------------------------------------

def test_the_command_flags_a_burst_and_a_second_run_reads_nothing_new(app, demo, db):
    ids = burst(db)
    add(db, local(MONDAY, 9, 1), "NB-Q02")

    assert run_detect(app) == {"scanned": 6, "flagged": 5}
    assert flags_of(db) == {i: {"burst"} for i in ids}
    assert run_detect(app) == {"scanned": 0, "flagged": 0}
    assert db.session.scalar(select(FlagScan.last_response_id)) == max(ids) + 1


def test_a_burst_across_two_scans_is_found_and_flags_the_older_answers_too(app, demo, db):
    older = burst(db, size=4)
    assert flags.detect().flagged == 0
    newer = add(db, local(MONDAY, 9, 2))

    report = flags.detect()

    assert (report.scanned, report.flagged) == (1, 5)
    assert set(flags_of(db)) == {*older, newer}


def test_an_identical_run_across_two_scans_is_found(app, demo, db):
    older = [add(db, local(MONDAY, 9 + i), answers=SIPAS_SAME, form="sipas") for i in range(3)]
    flags.detect()
    newer = add(db, local(MONDAY, 13), answers=SIPAS_SAME, form="sipas")

    flags.detect()

    assert flags_of(db) == {i: {"identical_run"} for i in (*older, newer)}


def test_scanning_twice_in_one_transaction_flags_nothing_twice(app, demo, db):
    burst(db)
    flags.detect()
    db.session.execute(FlagScan.__table__.update().values(last_response_id=0))

    assert flags.detect().flagged == 0
    assert db.session.scalar(select(func.count()).select_from(ResponseFlag)) == 5


def test_a_scan_after_the_newest_responses_were_deleted_reads_everything_again(app, demo, db):
    burst(db)
    flags.detect()
    db.session.execute(delete(Response))
    night = [add(db, local(MONDAY, 23, i)) for i in range(2)]

    assert flags.detect().scanned == 2
    assert flags_of(db) == {i: {"out_of_hours"} for i in night}


def test_opening_hours_follow_holidays_and_the_administrators_days_off(app, demo, db):
    tuesday, wednesday = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)
    db.session.add(CalendarOverride(day=tuesday, kind=DayKind.DAY_OFF, note="Nghỉ bù"))
    db.session.commit()
    day_off = add(db, local(tuesday, 10))
    add(db, local(wednesday, 10))
    night = add(db, local(wednesday, 22))
    tet = add(db, local(date(2026, 2, 17), 10))  # the first day of Tết 2026
    add(db, local(wednesday, 22), channel=Channel.PAPER)

    flags.detect()

    assert flags_of(db) == {i: {"out_of_hours"} for i in (day_off, night, tet)}


def test_a_paper_import_runs_the_detector(app, demo, db, tmp_path: Path):
    path = tmp_path / "forms.csv"
    rows = [f"2026-03-0{d}T09:00,NB-TTHCC,NB-Q01,5,5,5,5" for d in (2, 3, 4, 5)]
    path.write_text("\n".join(["submitted_at,unit,counter,A1,A2,A3,overall", *rows]) + "\n",
                    encoding="utf-8")

    result = app.test_cli_runner().invoke(args=["responses", "import", str(path)])

    assert result.exit_code == 0, result.output
    db.session.rollback()  # what is left must be committed
    assert [kinds for kinds in flags_of(db).values()] == [{"identical_run"}] * 4
    assert db.session.scalar(select(FlagScan.last_response_id)) == db.session.scalar(
        select(func.max(Response.id)))


# ---- one browser answering repeatedly -------------------------------------------------------------

def test_a_browser_answering_a_third_counter_within_the_hour_is_flagged(client, demo, db):
    for code in ("NB-Q01", "NB-Q02", "NB-Q03"):
        reply = submit_survey(client, f"/s/{counter(db, code).survey_code}", {"overall": "5"})
        assert reply.status_code == 302
    third = db.session.scalar(select(func.max(Response.id)))
    assert flags_of(db) == {third: {"repeat_browser"}}


def test_a_browser_answering_the_same_counter_again_after_the_window_is_flagged(app, demo, db):
    place = counter(db)
    client = app.test_client()
    earlier = int(datetime.now(UTC).timestamp()) - 20 * 60  # past the 10-minute refusal window
    client.set_cookie(recent.COOKIE, recent.write({place.survey_code: earlier}, app.secret_key))

    reply = submit_survey(client, f"/s/{place.survey_code}", {"overall": "4"})

    assert reply.status_code == 302
    assert list(flags_of(db).values()) == [{"repeat_browser"}]


def test_a_browser_without_the_cookie_is_never_flagged(app, demo, db):
    for code in ("NB-Q01", "NB-Q02", "NB-Q03"):
        fresh = app.test_client()
        assert submit_survey(fresh, f"/s/{counter(db, code).survey_code}",
                             {"overall": "5"}).status_code == 302
    assert flags_of(db) == {}


def test_a_shared_kiosk_browser_without_the_refusal_window_is_never_flagged(app_factory, demo,
                                                                           db):
    kiosk = app_factory(repeat_window_minutes=0).test_client()
    for code in ("NB-Q01", "NB-Q02", "NB-Q03", "NB-Q01"):
        assert submit_survey(kiosk, f"/s/{counter(db, code).survey_code}",
                             {"overall": "5"}).status_code == 302
    assert flags_of(db) == {}


# ---- what the inspector sees ----------------------------------------------------------------------

def test_counts_and_list_are_limited_to_the_units_and_period_given(app, demo, db):
    centre = burst(db)
    burst(db, "NB-HL-Q1", hour=10)
    night = add(db, local(MONDAY, 23))
    flags.detect()
    exclusions.exclude([centre[0]], "Một người bấm liên tục", user(db, "lanhdao"),
                       unit_ids=centre_ids(db))

    counts = exclusions.flag_counts(centre_ids(db), local(MONDAY, 0), local(MONDAY, 23))
    assert counts.by_kind == {"burst": 5, "identical_run": 0, "out_of_hours": 0,
                              "repeat_browser": 0}
    assert (counts.flagged, counts.excluded) == (5, 1)

    rows = exclusions.flagged_responses(centre_ids(db), None, None, limit=3)
    assert [r.id for r in rows] == [night, centre[4], centre[3]]
    assert rows[0].kinds == ("out_of_hours",) and rows[0].unit == "NB-TTHCC"
    assert rows[0].counter == "NB-Q01" and not rows[0].excluded
    assert exclusions.count_flagged_responses(centre_ids(db), None, None) == 6
    excluded = exclusions.flagged_responses(centre_ids(db), None, None, kind=exclusions.EXCLUDED)
    assert [(r.id, r.excluded, r.reason) for r in excluded] == [
        (centre[0], True, "Một người bấm liên tục")]
    page = exclusions.flagged_responses(None, None, None, kind="burst", limit=4, offset=8)
    assert len(page) == 2
    with pytest.raises(ServiceError):
        exclusions.flagged_responses(None, None, None, kind="nonsense")


# ---- the inspector's decisions --------------------------------------------------------------------

def satisfaction_n(db, without_excluded: bool) -> int:
    scope = Scope.of(None, None, without_excluded=without_excluded)
    return run_index(load_method("satisfaction-rate"), scope, None)["n"]


def events(db, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_an_exclusion_is_audited_without_personal_data_and_leaves_the_other_figure_whole(
        app, demo, db):
    ids = burst(db)
    inspector = user(db, "thanhtra")
    reason = "  Một người bấm 5 lần, gọi 0912 345 678 để xác minh  "

    assert exclusions.exclude(ids[:3], reason, inspector, unit_ids=centre_ids(db)) == 3
    db.session.commit()

    stored = db.session.scalars(select(ResponseExclusion)).all()
    assert {e.response_id for e in stored} == set(ids[:3])
    assert {(e.reason, e.excluded_by_id) for e in stored} == {(reason.strip(), inspector.id)}
    [event] = events(db, "responses_excluded")
    assert event.actor_id == inspector.id and event.detail["responses"] == ids[:3]
    assert PHONE_TAG in event.detail["reason"] and "0912" not in json.dumps(event.detail)
    assert (satisfaction_n(db, False), satisfaction_n(db, True)) == (5, 2)
    assert verify().ok


def test_excluding_again_changes_nothing_and_including_puts_responses_back(app, demo, db):
    ids = burst(db)
    inspector = user(db, "thanhtra")
    exclusions.exclude(ids[:2], "Trùng lặp", inspector, unit_ids=centre_ids(db))
    assert exclusions.exclude(ids[:2], "Trùng lặp", inspector, unit_ids=centre_ids(db)) == 0
    assert len(events(db, "responses_excluded")) == 1

    assert exclusions.include(ids, inspector, unit_ids=centre_ids(db)) == 2
    db.session.commit()

    assert db.session.scalar(select(func.count()).select_from(ResponseExclusion)) == 0
    [event] = events(db, "responses_included")
    assert event.detail == {"responses": ids[:2]}
    assert satisfaction_n(db, True) == 5
    assert verify().ok


@pytest.mark.parametrize("reason", ["", "   ", "x" * (exclusions.REASON_MAX_LENGTH + 1)])
def test_an_exclusion_needs_a_short_reason(app, demo, db, reason):
    ids = burst(db, size=1)
    with pytest.raises(ServiceError):
        exclusions.exclude(ids, reason, user(db, "thanhtra"), unit_ids=centre_ids(db))
    assert db.session.scalar(select(func.count()).select_from(ResponseExclusion)) == 0


def test_responses_outside_the_users_units_or_unknown_are_refused_and_nothing_changes(
        app, demo, db):
    mine = burst(db, size=1)
    theirs = burst(db, "NB-HL-Q1", size=1)
    leader = user(db, "lanhdao")  # the provincial centre: no commune below it
    for ids in ([*mine, *theirs], [*mine, max(theirs) + 100], []):
        with pytest.raises(ServiceError):
            exclusions.exclude(ids, "Lý do", leader, unit_ids=centre_ids(db))
        with pytest.raises(ServiceError):
            exclusions.include(ids, leader, unit_ids=centre_ids(db))
    assert db.session.scalar(select(func.count()).select_from(ResponseExclusion)) == 0
    assert events(db, "responses_excluded") == []


def test_every_response_flagged_of_one_kind_in_scope_is_excluded_at_once(app, demo, db):
    centre = burst(db)
    commune = burst(db, "NB-HL-Q1", hour=10)
    night = add(db, local(MONDAY, 23))
    flags.detect()
    inspector = user(db, "thanhtra")
    exclusions.exclude([centre[0]], "Đã xem", inspector, unit_ids=centre_ids(db))

    done = exclusions.exclude_flagged("burst", "Bấm liên tục", inspector,
                                      unit_ids=centre_ids(db), start=local(MONDAY, 0),
                                      end=local(MONDAY + timedelta(days=1), 0))

    assert done == 4
    excluded = set(db.session.scalars(select(ResponseExclusion.response_id)))
    assert excluded == set(centre) and not excluded & {*commune, night}
    event = events(db, "responses_excluded")[-1]
    assert event.detail["flag"] == "burst" and event.detail["responses"] == centre[1:]
    assert exclusions.exclude_flagged("burst", "Bấm liên tục", inspector,
                                      unit_ids=centre_ids(db)) == 0
    with pytest.raises(ServiceError):
        exclusions.exclude_flagged("burst", " ", inspector, unit_ids=centre_ids(db))


# ---- exports --------------------------------------------------------------------------------------

def test_the_export_flags_column_names_the_kinds_and_exclusions(app, demo, db, tmp_path):
    ids = [add(db, local(MONDAY, 22) + timedelta(seconds=30 * i)) for i in range(5)]
    plain = add(db, local(MONDAY, 12), "NB-Q02")
    flags.detect()
    exclusions.exclude(ids[:1], "Ngoài giờ", user(db, "thanhtra"), unit_ids=centre_ids(db))
    db.session.commit()

    export_responses("csv", tmp_path / "out.csv")

    frame = pd.read_csv(tmp_path / "out.csv", encoding="utf-8-sig", keep_default_na=False)
    cells = dict(zip(frame["response_id"], frame["flags"], strict=True))
    assert cells[ids[0]] == "burst,out_of_hours,excluded"
    assert cells[ids[1]] == "burst,out_of_hours" and cells[plain] == ""
