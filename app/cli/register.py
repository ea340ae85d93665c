"""`wijkbudget register import ROUND_ID FILE.csv`: the register import from the command line.

The same services as the organiser's upload page (`start_register_import`, then `process_register_import`
in this process, not through Celery); the actor is the operator (None). Exit status 1 when the file could not
be used at all; bad lines are printed and the good ones kept.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import force_locale

from app.models import RegisterImport
from app.register_csv import RegisterFileError, decode_register_file
from app.services.eligibility import registers
from app.services.eligibility.register_messages import error_text, reason_text
from app.services.errors import RuleViolation


@click.group("register")
def register_command() -> None:
    """The voter register of a round."""


@register_command.command("import")
@click.argument("round_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(("en", "nl")), default="en", show_default=True, help="Language.")
@with_appcontext
def import_command(round_id: int, file: Path, lang: str) -> None:
    """Add the residents in FILE.csv to the register of round ROUND_ID."""
    with force_locale(lang):
        _import(round_id, file)


def _import(round_id: int, file: Path) -> None:
    try:
        text = decode_register_file(file.read_bytes())
        job = registers.start_register_import(None, round_id, file.name, text, in_background=False)
    except RegisterFileError as error:
        raise click.ClickException(reason_text(error.code, error.detail)) from None
    except RuleViolation as refused:
        raise click.ClickException(str(refused.message)) from None
    click.echo(f"import {job.id}: {job.total_lines} lines")
    job = registers.process_register_import(job.id, on_progress=_progress)
    for bad_line in job.errors or []:
        click.echo(f"line {bad_line['line']}: {error_text(bad_line)}", err=True)
    if job.rejected > len(job.errors or []):
        click.echo(f"... and {job.rejected - len(job.errors or [])} more rejected lines", err=True)
    if job.failure:
        raise click.ClickException(reason_text(job.failure))
    click.echo(f"done: {job.imported} imported, {job.rejected} rejected")


def _progress(job: RegisterImport) -> None:
    click.echo(f"{job.processed_lines}/{job.total_lines} lines read", err=True)
