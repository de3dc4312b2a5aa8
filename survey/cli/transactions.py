"""`survey transactions`: import and list the monthly transaction counts of the units."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from survey.cli.common import emit, fail, unit_or_fail
from survey.extensions import db
from survey.models import Unit, User


@click.group("transactions")
def transactions_group():
    """Monthly transaction counts: the population behind sample sizes and response rates."""


@transactions_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="check and count, store nothing")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json",
              show_default=True)
@with_appcontext
def import_command(file, dry_run, fmt):
    """Import counts from CSV or XLSX (columns unit, month YYYY-MM, transactions).

    All or nothing: one invalid row imports nothing (exit status 1). A row replaces the count
    stored for its unit and month, so importing the same file twice changes nothing.
    """
    from survey.services.paper_files import ImportFileError
    from survey.services.transactions import import_counts

    try:
        report = import_counts(file, dry_run=dry_run)
    except ImportFileError as error:
        fail(str(error))
    if dry_run or report["rejected"]:
        db.session.rollback()
    else:
        db.session.commit()

    def table(d):
        click.echo(f"imported {d['imported']}, unchanged {d['unchanged']}, "
                   f"rejected {d['rejected']}" + (" (dry run: nothing stored)" if dry_run else ""))
        for e in d["errors"]:
            click.echo(f"  row {e['row']}, column {e['column']}: {e['message']}")

    emit(report, fmt, table)
    if report["rejected"]:
        sys.exit(1)


@transactions_group.command("list")
@click.option("--unit", "unit_code", help="a unit code: the unit and everything under it")
@click.option("--year", type=click.IntRange(1900, 9999), help="only the months of this year")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table",
              show_default=True, help="json for machines, table for people")
@with_appcontext
def list_command(unit_code, year, fmt):
    """List the stored counts, by unit code and month."""
    from survey.services.org import subtree_ids
    from survey.services.transactions import list_counts

    unit_ids = subtree_ids(unit_or_fail(unit_code).id) if unit_code else None
    counts = list_counts(unit_ids, year)
    codes = dict(db.session.execute(select(Unit.id, Unit.code).where(
        Unit.id.in_({count.unit_id for count in counts}))).all())
    users = dict(db.session.execute(select(User.id, User.username).where(
        User.id.in_({count.updated_by_id for count in counts if count.updated_by_id}))).all())
    rows = [{"unit": codes[count.unit_id], "month": count.month.isoformat()[:7],
             "transactions": count.transactions, "source": count.source,
             "updated_by": users.get(count.updated_by_id),
             "updated_at": count.updated_at.isoformat()} for count in counts]

    def table(data):
        for row in data:
            click.echo(f"{row['unit']:<16} {row['month']}  {row['transactions']:>10}  "
                       f"{row['source']}")

    emit(rows, fmt, table)


COMMANDS = (transactions_group,)
