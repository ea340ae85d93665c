"""`wijkbudget record ROUND_ID --out DIR`: write a published round's election record files for auditors."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from app.services.errors import RuleViolation
from app.services.results.record import published_record
from app.services.results.record_files import file_names, sha256_text

CHECKSUM_FILE = "SHA256SUMS"


@click.command("record")
@click.argument("round_id", type=int)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write the files to (created if missing).",
)
@with_appcontext
def record_command(round_id: int, out_dir: Path) -> None:
    """Write the election record of published round ROUND_ID: the .pb (one per part of the ballot), the CSV,
    the JSON record and a SHA256SUMS file that `sha256sum -c SHA256SUMS` checks. Refuses a round that is not
    published."""
    try:
        record = published_record(round_id)
    except RuleViolation as refused:
        raise click.ClickException(f"round {round_id}: {refused.message}") from None
    names = file_names(round_id)
    texts = {names["json"]: record.record_json, names["pb"]: record.pb_text, names["csv"]: record.csv_text}
    texts.update(record.part_pb_texts or {})  # the .pb of each buurt part of the ballot
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (out_dir / name).write_bytes(text.encode("utf-8"))
    sums = "".join(f"{sha256_text(text)}  {name}\n" for name, text in texts.items())
    (out_dir / CHECKSUM_FILE).write_text(sums, encoding="utf-8", newline="")
    for name in (*texts, CHECKSUM_FILE):
        click.echo(out_dir / name)
    click.echo(f"SHA-256 of the record ({names['json']}): {record.record_sha256}")
