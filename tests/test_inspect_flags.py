"""Flagged responses on the desk: the list, audited exclusions, and who may decide."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from survey.models import AuditEvent, Response, ResponseExclusion
from tests.conftest import csrf_token, login
from tests.test_inspect_desk import PERIOD, YEAR, rate

BURST_AT = datetime(YEAR, 3, 10, 3, tzinfo=UTC)  # 10:00 in Vietnam, a Wednesday


def burst(db, count: int = 6) -> list[int]:
    """``count`` unsatisfied answers from one counter a few seconds apart, then the detector."""
    from survey.services import flags

    for i in range(count):
        rate(db, "NB-Q01", 1, BURST_AT + timedelta(seconds=10 * i), f"burst-{i}")
    db.session.commit()
    flags.detect()
    db.session.commit()
    return list(db.session.scalars(select(Response.id).where(
        Response.idempotency_key.like("burst-%")).order_by(Response.id)))


def flags_page(client, extra: str = "") -> tuple[int, str]:
    reply = client.get(f"/inspect/flags?{PERIOD}&method=satisfaction-rate{extra}")
    return reply.status_code, reply.get_data(as_text=True)


def test_the_desk_counts_flags_and_lists_them(client, demo, db):
    ids = burst(db)
    login(client, "thanhtra")
    desk = client.get(f"/inspect/?{PERIOD}").get_data(as_text=True)
    assert "/inspect/flags?" in desk
    status, html = flags_page(client, "&kind=burst")
    assert status == 200
    for response_id in ids:
        assert f'value="{response_id}"' in html


def test_an_inspector_excludes_with_a_reason_and_it_is_audited(client, demo, db):
    ids = burst(db)
    for i in range(30):  # satisfied answers at other times, so the index moves visibly
        rate(db, "NB-Q02", 5, datetime(YEAR, 4, 1, 3, tzinfo=UTC) + timedelta(hours=i), f"ok-{i}")
    db.session.commit()
    login(client, "thanhtra")
    status, html = flags_page(client, "&kind=burst")
    token = csrf_token(html)
    url = f"/inspect/flags/exclude?{PERIOD}&method=satisfaction-rate&kind=burst"

    refused = client.post(url, data={"csrf_token": token, "response_id": [str(ids[0])],
                                     "reason": "   "})
    assert refused.status_code == 400
    assert db.session.scalar(select(ResponseExclusion.response_id)) is None

    done = client.post(url, data={"csrf_token": token, "response_id": [str(i) for i in ids[:2]],
                                  "reason": "Một người bấm liên tục"})
    assert done.status_code == 302
    assert set(db.session.scalars(select(ResponseExclusion.response_id))) == set(ids[:2])
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "responses_excluded"))

    everything = client.post(url, data={"csrf_token": token, "kind": "burst",
                                        "reason": "Cả loạt phiếu trong 1 phút"})
    assert everything.status_code == 302
    assert set(db.session.scalars(select(ResponseExclusion.response_id))) == set(ids)

    desk = client.get(f"/inspect/?{PERIOD}&method=satisfaction-rate").get_data(as_text=True)
    assert "83,33%" in desk and "100,00%" in desk  # 30 of 36 with them, 30 of 30 without

    back = client.post(f"/inspect/flags/include?{PERIOD}&method=satisfaction-rate",
                       data={"csrf_token": token, "response_id": [str(ids[0])]})
    assert back.status_code == 302
    assert ids[0] not in set(db.session.scalars(select(ResponseExclusion.response_id)))
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "responses_included"))


def test_leaders_see_flags_but_cannot_exclude(client, demo, db):
    ids = burst(db)
    login(client, "lanhdao")
    status, html = flags_page(client)
    assert status == 200 and 'name="response_id"' not in html
    token = csrf_token(client.get("/login").get_data(as_text=True))
    reply = client.post(f"/inspect/flags/exclude?{PERIOD}",
                        data={"csrf_token": token, "response_id": [str(ids[0])],
                              "reason": "không"})
    assert reply.status_code == 403
    assert db.session.scalar(select(ResponseExclusion.response_id)) is None


def test_responses_outside_the_inspectors_units_cannot_be_excluded(client, demo, db):
    ids = burst(db)  # at NB-Q01, under the provincial centre
    from survey.models import Role, Unit, User
    from survey.services.users import create_user

    commune = db.session.scalar(select(Unit).where(Unit.code == "NB-HL"))
    create_user("thanhtraxa", role=Role.INSPECTOR, unit=commune, password="thanhtraxa-demo-2026",
                display_name="Thanh tra xã")
    db.session.commit()
    assert db.session.scalar(select(User).where(User.username == "thanhtraxa"))
    login(client, "thanhtraxa")
    token = csrf_token(flags_page(client)[1])
    reply = client.post(f"/inspect/flags/exclude?{PERIOD}",
                        data={"csrf_token": token, "response_id": [str(ids[0])],
                              "reason": "không thuộc đơn vị"})
    assert reply.status_code == 400
    assert db.session.scalar(select(ResponseExclusion.response_id)) is None
