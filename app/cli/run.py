"""`wijkbudget run`: Flask's development server, plus the due-work sweep when there is no broker.

In the embedded default (no REDIS_URL) nothing else runs on a schedule, so this process sweeps every minute:
phase dates, overdue commitments, register purges, stuck mail, outbox jobs that are due again.
"""

from __future__ import annotations

import logging

import click
from flask.cli import ScriptInfo
from flask.cli import run_command as flask_run_command
from werkzeug.serving import is_running_from_reloader

from app.logs import RedactingFilter
from tasks.broker import has_broker
from tasks.sweep import start_in_process_sweeper


@click.command("run", params=flask_run_command.params, help=flask_run_command.help)
@click.pass_context
def run_command(ctx: click.Context, **options: object) -> None:
    app = ctx.ensure_object(ScriptInfo).load_app()
    reloading = bool(options.get("reload")) and not is_running_from_reloader()
    # The development server prints a line per request with the address and the query (?code=...).
    logging.getLogger("werkzeug").addFilter(RedactingFilter())
    if not has_broker(app) and not reloading:  # with the reloader, only its child process serves and sweeps
        interval = float(app.config["SWEEP_INTERVAL_SECONDS"])
        start_in_process_sweeper(app, interval)
        click.echo(f" * Sweeping for due work every {interval:g} s in this process (no broker configured)")
    ctx.invoke(flask_run_command, **options)
