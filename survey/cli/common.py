"""What every command shares: one-line failures, date options, JSON or table output, look-ups."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import NoReturn

import click
from sqlalchemy import select

from survey.extensions import db
from survey.models import Counter, Unit


def fail(message: str) -> NoReturn:
    """Stop with a one-line message on stderr and exit status 1."""
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def parse_date_option(value: str | None, name: str) -> date | None:
    """A YYYY-MM-DD option, or a one-line error naming the option."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{name} must be a date like 2027-01-31")


def date_span_options(date_from: str | None,
                      date_to: str | None) -> tuple[date | None, date | None]:
    """The inclusive --from/--to dates, refusing a span that ends before it starts."""
    start, end = parse_date_option(date_from, "--from"), parse_date_option(date_to, "--to")
    if start and end and start > end:
        fail("--from is after --to")
    return start, end


def emit(data, fmt: str, table=None) -> None:
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    elif table is not None:
        table(data)
    else:
        click.echo(json.dumps(data, ensure_ascii=False, default=str))


FORMAT = click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table",
                      show_default=True, help="json for machines, table for people")


def unit_or_fail(code: str) -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        fail(f"no unit with code {code!r}")
    return unit


def counter_or_fail(code: str) -> Counter:
    counter = db.session.scalar(select(Counter).where(Counter.code == code))
    if counter is None:
        fail(f"no counter with code {code!r}")
    return counter
