"""Mail through an outbox: queued with the change it reports, delivered by ``survey mail send``.

A failed delivery stays queued and is retried with exponential backoff; nothing is ever dropped.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import select

from survey.extensions import db
from survey.models.base import utcnow
from survey.models.mail import OutboxMail

MAX_BACKOFF = timedelta(hours=6)


def queue(recipient: str, subject: str, body: str) -> OutboxMail:
    mail = OutboxMail(recipient=recipient, subject=subject[:300], body=body)
    db.session.add(mail)
    db.session.flush()
    return mail


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after each failure, at most six hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 25
    user: str = ""
    password: str = ""
    sender: str = "khaosat@localhost"
    starttls: bool = False
    timeout: float = 20.0

    @classmethod
    def from_config(cls, smtp: dict[str, str]) -> SmtpSettings:
        return cls(host=smtp.get("SMTP_HOST", "localhost"), port=int(smtp.get("SMTP_PORT", "25")),
                   user=smtp.get("SMTP_USER", ""), password=smtp.get("SMTP_PASSWORD", ""),
                   sender=smtp.get("SMTP_FROM", "khaosat@localhost"),
                   starttls=smtp.get("SMTP_STARTTLS", "").lower() in {"1", "true", "yes"})


def _message(mail: OutboxMail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, mail.recipient, mail.subject
    message.set_content(mail.body)
    return message


@dataclass(frozen=True)
class SendReport:
    sent: int
    failed: int


def send_due(settings: SmtpSettings, now: datetime | None = None, limit: int = 200) -> SendReport:
    """Deliver what is due; commit after each mail so a crash never sends one twice."""
    now = now or utcnow()
    due = db.session.scalars(select(OutboxMail).where(OutboxMail.sent_at.is_(None),
                                                      OutboxMail.next_attempt_at <= now)
                             .order_by(OutboxMail.id).limit(limit)).all()
    sent = failed = 0
    for mail in due:
        try:
            with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
                if settings.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if settings.user:
                    smtp.login(settings.user, settings.password)
                smtp.send_message(_message(mail, settings.sender))
        except (OSError, smtplib.SMTPException) as error:
            mail.attempts += 1
            mail.last_error = f"{type(error).__name__}: {error}"[:500]
            mail.next_attempt_at = now + backoff(mail.attempts)
            failed += 1
        else:
            mail.attempts += 1
            mail.sent_at, mail.last_error = now, None
            sent += 1
        db.session.commit()
    return SendReport(sent=sent, failed=failed)
