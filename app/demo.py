"""`wijkbudget demo`: seed a realistic demo wijk when the database is empty."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Seed the demo wijk (only when the database holds no wijk yet)."""
    click.echo("demo: not yet implemented")
