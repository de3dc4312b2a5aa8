"""The audit chain, deadline escalation from cron, and mail delivery through the outbox."""

import json
import socket
import time
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select, text

from survey.models import AuditEvent, Milestone, OutboxMail
from survey.services import mail
from survey.services.audit import verify
from tests.cases_helpers import new_case, user


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


# ---- audit ---------------------------------------------------------------------------------------

def test_every_step_is_in_an_intact_chain(app, demo, db):
    new_case()
    new_case()
    result = run(app, "audit", "verify")
    assert result.exit_code == 0 and "chain intact" in result.output
    assert verify().events == db.session.scalar(select(func.count(AuditEvent.id))) >= 4


def test_audit_verify_detects_an_edited_event(app, demo, db):
    new_case()
    first = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).first()
    db.session.execute(text("UPDATE audit_events SET action = 'nothing' WHERE id = :id"),
                       {"id": first.id})
    db.session.commit()
    result = run(app, "audit", "verify")
    assert result.exit_code == 1 and f"event {first.id}: content was changed" in result.output


def test_audit_verify_detects_a_deleted_event(app, demo, db):
    new_case()
    new_case()
    events = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
    db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": events[1]})
    db.session.commit()
    result = run(app, "audit", "verify")
    assert result.exit_code == 1 and f"event {events[2]}" in result.output


def test_audit_verify_detects_a_cut_tail(app, demo, db):
    new_case()
    last = db.session.scalar(select(func.max(AuditEvent.id)))
    db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": last})
    db.session.commit()
    assert run(app, "audit", "verify").exit_code == 1


# ---- escalation ----------------------------------------------------------------------------------

def test_escalation_warns_once_before_and_tells_leaders_once_after(app, demo, db):
    user("canbo1").email = user("canbo2").email = user("canbo3").email = "handler@nb.gov.vn"
    user("lanhdao").email = "leader@nb.gov.vn"
    db.session.commit()
    case, _ = new_case()
    resolve = next(m for m in case.milestones if m.name == "resolve")
    day_before = datetime.combine(resolve.due - timedelta(days=1), datetime.min.time(), UTC)
    day_after = datetime.combine(resolve.due + timedelta(days=3), datetime.min.time(), UTC)
    db.session.execute(text("DELETE FROM mail_outbox"))
    db.session.commit()
    first = json.loads(run(app, "cases", "escalate", "--now", day_before.isoformat(),
                           "--format", "json").output)
    again = json.loads(run(app, "cases", "escalate", "--now", day_before.isoformat(),
                           "--format", "json").output)
    assert first["warned"] >= 1 and again == {"warned": 0, "late": 0, "rerouted": 0,
                                            "unassigned": 0}
    late = json.loads(run(app, "cases", "escalate", "--now", day_after.isoformat(),
                          "--format", "json").output)
    assert late["late"] >= 1
    assert json.loads(run(app, "cases", "escalate", "--now", day_after.isoformat(),
                          "--format", "json").output) == {"warned": 0, "late": 0,
                                                          "rerouted": 0, "unassigned": 0}
    recipients = db.session.scalars(select(OutboxMail.recipient)).all()
    assert "handler@nb.gov.vn" in recipients and "leader@nb.gov.vn" in recipients
    db.session.expire_all()
    stored = db.session.get(Milestone, resolve.id)
    assert stored.warned_at is not None and stored.late_notified_at is not None


# ---- mail ----------------------------------------------------------------------------------------

class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def test_queued_mail_is_delivered_once(app, db, smtp_server):
    controller, inbox = smtp_server
    mail.queue("an@example.vn", "Hồ sơ của Ông/Bà", "Có cập nhật mới.")
    db.session.commit()
    settings = mail.SmtpSettings(host="127.0.0.1", port=controller.port, sender="khaosat@nb.gov.vn")
    assert mail.send_due(settings).sent == 1
    assert mail.send_due(settings).sent == 0
    [envelope] = inbox.messages
    assert envelope.rcpt_tos == ["an@example.vn"]
    from email import message_from_bytes, policy

    received = message_from_bytes(envelope.content, policy=policy.default)
    assert received["Subject"] == "Hồ sơ của Ông/Bà"
    assert received.get_content().strip() == "Có cập nhật mới."


def test_failed_delivery_stays_queued_with_backoff_and_is_retried(app, db, smtp_server):
    controller, inbox = smtp_server
    mail.queue("an@example.vn", "Thử lại", "Nội dung")
    db.session.commit()
    dead = mail.SmtpSettings(host="127.0.0.1", port=free_port(), timeout=2)
    now = datetime.now(UTC)
    assert mail.send_due(dead, now=now).failed == 1
    queued = db.session.scalars(select(OutboxMail)).one()
    assert queued.sent_at is None and queued.attempts == 1 and queued.last_error
    assert queued.next_attempt_at == now + timedelta(minutes=1)
    live = mail.SmtpSettings(host="127.0.0.1", port=controller.port)
    assert mail.send_due(live, now=now).sent == 0  # not due yet
    assert mail.send_due(live, now=now + timedelta(minutes=2)).sent == 1
    assert len(inbox.messages) == 1


def test_backoff_doubles_and_is_capped():
    assert [mail.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert mail.backoff(30) == timedelta(hours=6)


def test_mail_send_command_uses_the_smtp_settings(app_factory, db, smtp_server):
    controller, inbox = smtp_server
    app = app_factory(smtp={"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(controller.port)})
    with app.app_context():
        mail.queue("binh@example.vn", "Chủ đề", "Nội dung")
        db.session.commit()
        result = run(app, "mail", "send")
    assert result.exit_code == 0 and "sent 1" in result.output
    deadline = time.monotonic() + 5
    while not inbox.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(inbox.messages) == 1


# ---- deadlines compute ---------------------------------------------------------------------------

def test_deadlines_compute_prints_the_milestones_as_json(app, db):
    result = run(app, "deadlines", "compute", "--kind", "feedback", "--received", "2027-02-03",
                 "--format", "json")
    data = json.loads(result.output)
    # 10 working days after 3 Feb 2027, skipping the Tết holiday 4-10 Feb: due 24 Feb.
    assert data["milestones"][0] == {"name": "resolve", "due": "2027-02-24", "unit": "working",
                                     "days": 10, "basis": data["milestones"][0]["basis"]}
    assert "Luật Tiếp công dân" in data["milestones"][0]["basis"]


def test_deadlines_compute_applies_the_administrators_calendar(app, db):
    from datetime import date

    from survey.models import DayKind
    from survey.services.rules import set_calendar_day

    set_calendar_day(date(2027, 2, 11), DayKind.DAY_OFF, "Nghỉ bù Tết", actor=None)
    db.session.commit()
    data = json.loads(run(app, "deadlines", "compute", "--kind", "feedback", "--received",
                          "2027-02-03", "--format", "json").output)
    assert data["milestones"][0]["due"] == "2027-02-25"


def test_deadlines_compute_refuses_a_bad_date(app, db):
    result = run(app, "deadlines", "compute", "--kind", "complaint", "--received", "3/2/2027")
    assert result.exit_code == 1 and "--received" in result.output
