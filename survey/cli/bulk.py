"""Commands that work on data in bulk: the demo, paper imports and the index."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from survey.cli.common import date_span_options, emit, fail, unit_or_fail
from survey.extensions import db
from survey.models import Counter, Unit


@click.command("demo")
@click.option("--responses", default=0, show_default=True, type=click.IntRange(0, 10_000_000),
              help="also add this many synthetic responses over the last year "
                   "(make run adds 6000)")
@click.option("--seed", default=1, show_default=True, help="random seed for the responses")
@click.option("--if-empty", is_flag=True, help="do nothing if any unit exists (used by make run)")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table")
@with_appcontext
def demo_command(responses, seed, if_empty, fmt):
    """Load the demo organisation and optionally synthetic responses (idempotent)."""
    from survey.services.demo import (
        CENTRE_COUNTERS,
        PROVINCE,
        add_synthetic_responses,
        build_organisation,
    )
    from survey.services.flags import detect
    from survey.web.urls import survey_url

    has_units = db.session.scalar(select(Unit.id).limit(1)) is not None
    is_demo = db.session.scalar(select(Unit.id).where(Unit.code == PROVINCE[0])) is not None
    if if_empty and has_units and not is_demo:
        click.echo("The database holds an organisation already: demo not loaded.")
        return

    logins = build_organisation()
    added = add_synthetic_responses(responses, seed) if responses else 0
    # What cron would do: the inspector's flag page shows what the detector finds in the demo.
    flagged = detect().flagged if added else 0
    db.session.commit()
    # The provincial centre's first counter, the one the README walks through.
    first = db.session.scalar(select(Counter).where(Counter.active.is_(True))
                              .order_by(Counter.code != CENTRE_COUNTERS[0][0], Counter.code))
    counter = {"code": first.code, "name": first.name, "unit": first.unit.name,
               "url": survey_url(first)} if first else None
    data = {"logins": [vars(login) for login in logins], "responses_added": added,
            "flags_added": flagged, "survey_url": counter["url"] if counter else None,
            "survey_counter": counter}

    def table(d):
        click.echo("Demo logins (username / password / role / unit):")
        for login in d["logins"]:
            click.echo(f"  {login['username']:<10} {login['password']:<22} {login['role']:<10} "
                       f"{login['unit']}")
        if d["responses_added"]:
            click.echo(f"Added {d['responses_added']} synthetic responses over the last year; "
                       f"the anomaly detector flagged {d['flags_added']}.")
        if d["survey_counter"]:
            c = d["survey_counter"]
            click.echo(f"Survey of counter {c['code']} \"{c['name']}\" ({c['unit']}):")
            click.echo(f"  {c['url']}")

    emit(data, fmt, table)


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--questionnaire", "questionnaire_code", default=None,
              help="questionnaire code (default: sipas when the file has SIPAS columns, "
                   "else quick)")
@click.option("--dry-run", is_flag=True, help="check and count, store nothing")
@click.option("--skip-invalid", is_flag=True, help="import the valid rows even if others fail")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json",
              show_default=True)
@with_appcontext
def import_command(file, questionnaire_code, dry_run, skip_invalid, fmt):
    """Import paper survey forms from CSV or XLSX (all-or-nothing unless --skip-invalid)."""
    from survey.services.paper_import import ImportFileError, import_responses

    try:
        report = import_responses(file, questionnaire_code=questionnaire_code,
                                  dry_run=dry_run, skip_invalid=skip_invalid)
    except ImportFileError as error:
        fail(str(error))
    if dry_run or (report["rejected"] and not skip_invalid):
        db.session.rollback()
    else:
        db.session.commit()
        if report["imported"]:  # flag the new forms now rather than at the next scheduled scan
            from survey.services.flags import detect

            detect()
            db.session.commit()

    def table(d):
        click.echo(f"imported {d['imported']}, duplicates skipped {d['skipped_duplicates']}, "
                   f"rejected {d['rejected']}")
        for e in d["errors"]:
            click.echo(f"  row {e['row']}, column {e['column']}: {e['message']}")

    emit(report, fmt, table)
    if report["rejected"] and not skip_invalid:
        sys.exit(1)




@click.command("index")
@click.option("--method", default="satisfaction-rate", show_default=True,
              type=click.Choice(["satisfaction-rate", "sipas", "decree61", "qd766"]))
@click.option("--from", "date_from", help="first day, inclusive (YYYY-MM-DD, Vietnam time)")
@click.option("--to", "date_to", help="last day, inclusive (YYYY-MM-DD, Vietnam time)")
@click.option("--unit", "unit_code", help="a unit code: the unit and everything under it")
@click.option("--by", type=click.Choice(["unit", "counter", "procedure", "officer", "channel",
                                         "month", "quarter", "year"]),
              help="one group per unit under the scope, counter, procedure, officer, ...")
@click.option("--without-excluded", is_flag=True,
              help="leave out the responses inspectors excluded as suspicious")
@click.option("--compare", type=click.Choice(["previous", "last-year"]),
              help="test the change from the period just before, or from the same period a year "
                   "earlier (needs --from and --to; JSON and table only)")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "table"]), default="table",
              show_default=True)
@with_appcontext
def index_command(method, date_from, date_to, unit_code, by, without_excluded, compare, fmt):
    """Compute a satisfaction index with its n and 95% confidence interval."""
    from dataclasses import replace

    from survey.analysis.compare import compare_reports
    from survey.analysis.render import to_csv, to_json, to_table
    from survey.render.messages import plain
    from survey.rules.periods import other_period
    from survey.services.indices import load_method, run_index
    from survey.services.indices import scope as index_scope

    start_day, end_day = date_span_options(date_from, date_to)
    if method == "qd766" and by:
        fail("--by is not available for qd766 yet")
    if compare and not (start_day and end_day):
        fail("--compare needs --from and --to")
    unit = unit_or_fail(unit_code) if unit_code else None
    spec = load_method(method)
    scope = index_scope(start_day, end_day, unit, without_excluded=without_excluded)
    report = run_index(spec, scope, by)
    if compare:
        before_start, before_end = other_period(start_day, end_day, compare.replace("-", "_"))
        before = run_index(spec, index_scope(before_start, before_end, unit,
                                             without_excluded=without_excluded), None)
        report = replace(report, comparison={
            "from": before_start.isoformat(), "to": before_end.isoformat(),
            "rows": compare_reports(before.to_json(), report.to_json(),
                                    minimum_sample=spec.minimum_sample)})
    if fmt == "csv":
        shown = to_csv(report)
    else:
        shown = (to_json if fmt == "json" else to_table)(report, plain)
    click.echo(shown.rstrip("\n"))


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "sav"]), required=True,
              help="file format: csv (UTF-8 with BOM), xlsx (with a codebook sheet) or sav (SPSS)")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="the file to write")
@click.option("--from", "date_from", help="first day, inclusive (YYYY-MM-DD, Vietnam time)")
@click.option("--to", "date_to", help="last day, inclusive (YYYY-MM-DD, Vietnam time)")
@click.option("--unit", "unit_code", help="a unit code: the unit and everything under it")
@click.option("--comments", is_flag=True, help="include comments, with personal data masked")
@click.option("--json", "as_json", is_flag=True, help="print the summary as JSON")
@with_appcontext
def export_command(fmt, out, date_from, date_to, unit_code, comments, as_json):
    """Export responses, one row per response, in the paper survey file's columns."""
    from survey.services.exports import export_responses
    from survey.services.org import subtree_ids

    start_day, end_day = date_span_options(date_from, date_to)
    unit_ids = subtree_ids(unit_or_fail(unit_code).id) if unit_code else None
    if not out.parent.is_dir():
        fail(f"no directory {str(out.parent)!r} for {str(out)!r}")
    try:
        rows = export_responses(fmt, out, date_from=start_day, date_to=end_day, unit_ids=unit_ids,
                                include_comments=comments)
    except OSError as error:
        fail(f"cannot write {str(out)!r}: {error.strerror or error}")
    summary = {"rows": rows, "format": fmt, "out": str(out), "from": date_from, "to": date_to,
               "unit": unit_code, "comments": comments}
    emit(summary, "json" if as_json else "table",
         lambda d: click.echo(f"exported {d['rows']} responses to {d['out']} ({d['format']})"))
