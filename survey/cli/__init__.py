"""The ``survey`` command group (also reachable as ``flask --app survey``).

Commands print JSON with ``--format json``, exit 1 with a one-line message on a user error,
and never show a traceback for one. Each module here holds the commands of one area; what they
share lives in ``survey.cli.common``, so no command module imports this package.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from survey.cli import bulk, cases, flags, org, transactions


def register_cli(app: Flask) -> None:
    for command in (*org.COMMANDS, bulk.demo_command, bulk.index_command, *cases.COMMANDS,
                    *flags.COMMANDS, *transactions.COMMANDS):
        app.cli.add_command(command)
    responses = click.Group("responses", help="Survey responses: import paper forms, export.")
    responses.add_command(bulk.import_command)
    responses.add_command(bulk.export_command)
    app.cli.add_command(responses)


def _create_app(*_args, **_kwargs):
    from survey import create_app

    return create_app()


main = FlaskGroup(create_app=_create_app, add_default_commands=False,
                  help="Citizen satisfaction survey: operate the platform from the shell.")
