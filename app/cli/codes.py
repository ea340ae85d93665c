"""`wijkbudget codes generate ROUND_ID --out letters.pdf [--csv letters.csv]`: letters from the command line.

The same batch and codes as the organiser's page, but the files are written straight to the paths given
(never into the instance folder) and count as handed over at once.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from app.services.codes import batches as code_batches
from app.services.errors import RuleViolation


@click.group("codes")
def codes_command() -> None:
    """Letter codes (stemcodes) for rounds that use them."""


@codes_command.command("generate")
@click.argument("round_id", type=int)
@click.option(
    "--out", "pdf_path", required=True, type=click.Path(dir_okay=False, path_type=Path), help="PDF file"
)
@click.option(
    "--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), help="CSV for a mail-merge"
)
@with_appcontext
def generate_command(round_id: int, pdf_path: Path, csv_path: Path | None) -> None:
    """Generate a code and a letter for every register entry that has no code yet."""
    try:
        batch = code_batches.start_code_batch(None, round_id, in_background=False)
        outcome = code_batches.generate_codes(batch.id, pdf_path=pdf_path, csv_path=csv_path)
    except RuleViolation as refused:
        raise click.ClickException(str(refused.message)) from None
    written = f"{pdf_path}" + (f" and {csv_path}" if csv_path else "")
    click.echo(f"{outcome.generated} codes; letters written to {written}.")
