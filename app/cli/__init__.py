"""The `wijkbudget` command: a FlaskGroup over create_app with the project's own commands, one module each."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from app import create_app


@click.group(cls=FlaskGroup, create_app=create_app)
def main() -> None:
    """wijkbudget: participatory budgeting for Dutch neighbourhoods."""


def _register_commands() -> None:
    from app.cli.audit import audit_group
    from app.cli.codes import codes_command
    from app.cli.record import record_command
    from app.cli.register import register_command
    from app.cli.run import run_command
    from app.cli.staff import staff_group
    from app.cli.tally import tally_command
    from app.cli.users import users_group
    from app.demo.seed import demo_command

    for command in (
        demo_command,
        audit_group,
        record_command,
        codes_command,
        register_command,
        staff_group,
        tally_command,
        users_group,
        run_command,  # replaces Flask's own `run`, adding the sweep of the embedded default
    ):
        main.add_command(command)


_register_commands()
