"""The `wijkbudget` command: a FlaskGroup over create_app with the project's own commands."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from app import create_app


@click.group(cls=FlaskGroup, create_app=create_app)
def main() -> None:
    """wijkbudget: participatory budgeting for Dutch neighbourhoods."""


def _register_commands() -> None:
    from app.audit_command import audit_group
    from app.codes_command import codes_command
    from app.demo import demo_command
    from app.record_command import record_command
    from app.register_command import register_command

    main.add_command(demo_command)
    main.add_command(audit_group)
    main.add_command(record_command)
    main.add_command(codes_command)
    main.add_command(register_command)
    try:
        from app.tally_command import tally_command
    except ImportError:  # the counting CLI lands with the counting engine
        return
    main.add_command(tally_command)


_register_commands()
