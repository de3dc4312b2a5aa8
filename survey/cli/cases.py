"""Commands for cases: deadlines, escalation (cron), mail delivery, the audit chain, identities."""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.cli.common import fail, parse_date_option
from survey.extensions import db
from survey.rules.periods import LOCAL_TZ

KINDS = ["feedback", "complaint", "complaint-second", "denunciation"]


@click.group("deadlines")
def deadlines_group():
    """Statutory deadlines."""


@deadlines_group.command("compute")
@click.option("--kind", type=click.Choice(KINDS), required=True)
@click.option("--received", required=True, help="date of receipt, YYYY-MM-DD")
@click.option("--complex", "is_complex", is_flag=True, help="the case is complex")
@click.option("--remote", is_flag=True, help="remote or especially difficult area")
@click.option("--outside-competence", is_flag=True,
              help="the case is outside the body's competence: add the forward milestone")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json",
              show_default=True)
@with_appcontext
def compute_deadlines_command(kind, received, is_complex, remote, outside_competence, fmt):
    """Print a new case's milestones (with the administrator's calendar overrides)."""
    from survey.rules import deadlines
    from survey.services import milestones

    received_on = parse_date_option(received, "--received")
    computed = deadlines.compute_milestones(
        milestones.rulebook(), milestones.calendar(received_on), kind, received=received_on,
        complexity=int(is_complex), remote=remote,
        include=("forward",) if outside_competence else ())
    data = deadlines.milestones_as_json(computed)
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for m in data["milestones"]:
        click.echo(f"{m['name']:<10} {m['due']}  {m['days']:>3} {m['unit']:<8} {m['basis']}")


@click.group("cases")
def cases_group():
    """Cases: feedback, complaints, denunciations."""


@cases_group.command("escalate")
@click.option("--now", "now_text", help="ISO date-time to act as now (default: the clock)")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table")
@with_appcontext
def escalate_command(now_text, fmt):
    """Warn handlers of milestones due within 2 working days and leaders of late ones (once)."""
    from survey.services.escalation import escalate

    now = datetime.now(UTC)
    if now_text:
        try:
            now = datetime.fromisoformat(now_text)
        except ValueError:
            fail("--now must be an ISO date-time like 2027-02-10T08:00:00+07:00")
        if now.tzinfo is None:
            now = now.replace(tzinfo=LOCAL_TZ)  # a bare time is Vietnamese local time
    report = escalate(now.astimezone(UTC))
    db.session.commit()
    if fmt == "json":
        click.echo(json.dumps({"warned": report.warned, "late": report.late,
                               "rerouted": report.rerouted, "unassigned": report.unassigned}))
    else:
        click.echo(f"warned {report.warned} handler(s), told leaders of {report.late} late "
                   f"step(s), routed {report.rerouted} case(s) again, reminded leaders of "
                   f"{report.unassigned} unassigned case(s)")


@cases_group.command("check")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table",
              show_default=True)
@with_appcontext
def check_command(fmt):
    """List every open case that no one who may hold it has on their desk; exit 1 if any."""
    from sqlalchemy import select

    from survey.models import Unit
    from survey.services.assignment import off_desk, open_count

    found = off_desk()
    codes = dict(db.session.execute(select(Unit.id, Unit.code).where(
        Unit.id.in_({item.unit_id for item in found} - {None}))).all()) if found else {}
    report = {"open": open_count(), "off_desk": [
        {"case": item.case_id, "kind": item.kind, "unit": codes.get(item.unit_id),
         "reason": item.reason} for item in found]}
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False))
    else:
        click.echo(f"{report['open']} open case(s), {len(found)} on nobody's desk")
        for item in report["off_desk"]:
            click.echo(f"  case {item['case']:>8}  {item['kind']:<13} {item['unit'] or '-':<20} "
                       f"{item['reason']}")
    if found:
        sys.exit(1)


@click.group("mail")
def mail_group():
    """The mail outbox."""


@mail_group.command("send")
@click.option("--loop", is_flag=True, help="keep sending every --interval seconds")
@click.option("--interval", default=30, show_default=True, type=click.IntRange(1, 3600))
@with_appcontext
def send_mail_command(loop, interval):
    """Deliver queued mail; failures stay queued and are retried with backoff."""
    from survey.services.mail import SmtpSettings, send_due

    settings = SmtpSettings.from_config(current_app.config.get("SURVEY_SMTP", {}))
    while True:
        report = send_due(settings)
        click.echo(f"sent {report.sent}, failed {report.failed} (will retry)")
        if not loop:
            break
        time.sleep(interval)


@click.group("audit")
def audit_group():
    """The audit trail."""


@audit_group.command("verify")
@with_appcontext
def verify_audit_command():
    """Check the hash chain: any edited or deleted event is reported; exit 1 if any."""
    from survey.services.audit import verify

    result = verify()
    for problem in result.problems:
        click.echo(problem, err=True)
    if not result.ok:
        click.echo(f"error: the audit trail was tampered with ({len(result.problems)} problem(s) "
                   f"in {result.events} events)", err=True)
        sys.exit(1)
    click.echo(f"ok: {result.events} events, chain intact")


@click.group("identity")
def identity_group():
    """Denouncers' identities."""


@identity_group.command("rotate")
@with_appcontext
def rotate_identity_command():
    """Re-encrypt every identity with the first key of SURVEY_IDENTITY_KEY."""
    from survey.services.identity import rotate

    count = rotate()
    db.session.commit()
    click.echo(f"re-encrypted {count} identities")


COMMANDS = (deadlines_group, cases_group, mail_group, audit_group, identity_group)
