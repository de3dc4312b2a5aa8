"""Commands for the organisation: staff accounts, counters and their QR codes, one-time links,
questionnaires."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from survey.cli.common import FORMAT, counter_or_fail, emit, fail, unit_or_fail
from survey.extensions import db
from survey.models import Counter, Questionnaire, Role, Unit
from survey.services import ServiceError

# ---- users ---------------------------------------------------------------------------------------

@click.group("users")
def users_group():
    """Staff accounts."""


@users_group.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--unit", "unit_code", required=True, help="code of the user's unit")
@click.option("--name", "display_name", default=None, help="full name shown to colleagues")
@click.option("--email", default=None, help="address for deadline notices")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
@with_appcontext
def create_user_command(username, role, unit_code, display_name, email, password_stdin):
    """Create a staff user (the password is asked for unless --password-stdin)."""
    from survey.services.users import create_user

    unit = unit_or_fail(unit_code)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(username, role=Role(role), unit=unit, password=password,
                           display_name=display_name, email=email)
    except ServiceError as error:
        fail(str(error))
    db.session.commit()
    click.echo(f"created {user.username} ({user.role.value}, {unit.code})")


# ---- counters and QR codes -----------------------------------------------------------------------

@click.group("counters")
def counters_group():
    """Counters and their survey URLs."""


@counters_group.command("list")
@FORMAT
@with_appcontext
def list_counters_command(fmt):
    """List counters with the survey URL their QR code encodes."""
    from survey.web.urls import survey_url

    counters = db.session.scalars(select(Counter).join(Unit).order_by(Unit.code, Counter.code))
    rows = [{"code": c.code, "name": c.name, "unit": c.unit.code, "url": survey_url(c)}
            for c in counters]

    def table(data):
        for row in data:
            click.echo(f"{row['code']:<16} {row['unit']:<14} {row['url']}  {row['name']}")

    emit(rows, fmt, table)


@click.command("qr")
@click.argument("code", required=False)
@click.option("--unit", "unit_code", help="with --poster: every counter of this unit")
@click.option("--poster", is_flag=True, help="an A4 PDF poster instead of a bare code")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def qr_command(code, unit_code, poster, out):
    """Write a counter's QR code (.png or .svg), or A4 posters (.pdf) with --poster."""
    from survey.render import qr
    from survey.web.urls import survey_url

    suffix = out.suffix.lower()
    if poster:
        if suffix != ".pdf":
            fail("a poster is written as .pdf")
        if unit_code:
            counters = list(db.session.scalars(
                select(Counter).where(Counter.unit_id == unit_or_fail(unit_code).id,
                                      Counter.active.is_(True)).order_by(Counter.code)))
        elif code:
            counters = [counter_or_fail(code)]
        else:
            fail("give a counter CODE or --unit CODE")
        if not counters:
            fail(f"unit {unit_code!r} has no counter in service")
        out.write_bytes(qr.posters([qr.PosterInfo(survey_url(c), c.unit.name, c.name)
                                    for c in counters]))
        click.echo(f"wrote {len(counters)} poster(s) to {out}")
        return
    if not code:
        fail("give a counter CODE")
    counter = counter_or_fail(code)
    if suffix == ".png":
        out.write_bytes(qr.png(survey_url(counter)))
    elif suffix == ".svg":
        out.write_text(qr.svg(survey_url(counter)), encoding="utf-8")
    else:
        fail("the output file must end in .png or .svg (or .pdf with --poster)")
    click.echo(f"wrote {out} for {survey_url(counter)}")


@click.group("tokens")
def tokens_group():
    """One-time survey links for dossier receipts."""


@tokens_group.command("issue")
@click.option("--counter", "counter_code", required=True)
@click.option("--count", default=1, show_default=True, type=click.IntRange(1, 10000))
@FORMAT
@with_appcontext
def issue_tokens_command(counter_code, count, fmt):
    """Issue one-time links for a counter; prints them once (only their hashes are kept)."""
    from survey.services.tokens import issue_tokens
    from survey.web.urls import survey_url

    counter = counter_or_fail(counter_code)
    tokens = issue_tokens(counter, count, officer=counter.officer_on_duty)
    db.session.commit()
    urls = [survey_url(counter, token=t) for t in tokens]
    emit(urls, fmt, lambda data: click.echo("\n".join(data)))


# ---- questionnaires ------------------------------------------------------------------------------

@click.group("questionnaires")
def questionnaires_group():
    """Questionnaire files."""


@questionnaires_group.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@FORMAT
@with_appcontext
def load_questionnaire_command(file, fmt):
    """Validate and load a questionnaire file; a changed, answered one becomes a new version."""
    from survey.render.messages import plain
    from survey.rules.questionnaire_spec import QuestionnaireError
    from survey.services.questionnaires import load_file

    try:
        result = load_file(file)
    except QuestionnaireError as error:
        for item in error.errors:
            click.echo(f"{file}: {item.where}: {plain(item.message)}", err=True)
        sys.exit(1)
    db.session.commit()
    emit({"code": result.code, "version": result.version, "outcome": result.outcome}, fmt,
         lambda d: click.echo(f"{d['code']} version {d['version']}: {d['outcome']}"))


@questionnaires_group.command("list")
@FORMAT
@with_appcontext
def list_questionnaires_command(fmt):
    """List questionnaires and their versions."""
    from survey.services.questionnaires import definition_of

    rows = []
    for q in db.session.scalars(select(Questionnaire).order_by(Questionnaire.code)):
        current = q.current
        definition = definition_of(current)
        rows.append({"code": q.code, "title": definition.title.vi,
                     "version": current.version, "versions": len(q.versions),
                     "questions": len(definition.questions)})
    emit(rows, fmt, lambda data: [click.echo(f"{r['code']:<10} v{r['version']:<3} "
                                             f"{r['questions']:>3} questions  {r['title']}")
                                  for r in data])


COMMANDS = (users_group, counters_group, qr_command, tokens_group, questionnaires_group)
