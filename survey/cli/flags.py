"""Commands for anomaly flags: scan the new responses (cron, and after each paper import)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from survey.cli.common import FORMAT, emit
from survey.extensions import db


@click.group("flags")
def flags_group():
    """Anomaly flags on survey responses."""


@flags_group.command("detect")
@FORMAT
@with_appcontext
def detect_command(fmt):
    """Flag the responses added since the last scan (bursts, identical runs, out of hours)."""
    from survey.services.flags import detect

    report = detect()
    db.session.commit()
    emit({"scanned": report.scanned, "flagged": report.flagged}, fmt,
         lambda d: click.echo(f"scanned {d['scanned']} new responses, added {d['flagged']} flags"))


COMMANDS = (flags_group,)
