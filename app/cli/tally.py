"""`wijkbudget tally FILE.pb`: count a pabulib file without a database or a configured app.

The only place outside ``app.counting`` that knows about the counting package's command line; it imports
click and ``app.counting``, nothing that needs a database, so it is registered with ``with_appcontext=False``.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from app.counting import RULES, TIE_BREAKS, PabulibError, TieBreakError, UnknownRuleError
from app.counting.tally import LEFTOVER_CHOICES, render_table, run_tally, split_ids


@click.command("tally")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--rule",
    type=click.Choice(RULES),
    default=None,
    help="Counting rule. Default: the file's own META rule, if it is one of these.",
)
@click.option(
    "--min-score", default=None, help="Minimum score for greedy-threshold (default: the file's META)."
)
@click.option(
    "--tie-break",
    type=click.Choice(TIE_BREAKS),
    default=None,
    help="lexicographic = project id text order (as pabutools); default = cheaper, more votes, then the lot. "
    "Default: the file's META tie_break, else default.",
)
@click.option(
    "--lot-order",
    default=None,
    help="Comma-separated project ids in the order drawn by lot before voting (default tie-break only). "
    "Default: the file's META tie_break_lot, if any.",
)
@click.option(
    "--leftover",
    type=click.Choice(LEFTOVER_CHOICES),
    default=None,
    help="What to do with the money the rule leaves: fund_fitting = more projects that fit, by score, "
    "without the caps; partial = the best project not funded gets what is left; return / next_round / none "
    "= nothing more is funded. Default: the file's META leftover_budget, if any.",
)
@click.option(
    "--lang", type=click.Choice(("en", "nl")), default="en", show_default=True, help="Table language."
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
def tally_command(
    file: Path,
    rule: str | None,
    min_score: str | None,
    tie_break: str | None,
    lot_order: str | None,
    leftover: str | None,
    lang: str,
    as_json: bool,
) -> None:
    """Count FILE.pb (pabulib format) and show who wins and why."""
    lot = split_ids(lot_order) if lot_order else None
    try:
        run = run_tally(
            file, rule=rule, min_score=min_score, tie_break=tie_break, lot_order=lot, leftover=leftover
        )
    except (PabulibError, UnknownRuleError, TieBreakError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    for warning in run.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if as_json:
        click.echo(json.dumps(run.to_dict(), ensure_ascii=False))
    else:
        click.echo(render_table(run, "nl" if lang == "nl" else "en"))
