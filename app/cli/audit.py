"""`wijkbudget audit verify`: check the hash chain of the audit log (exit 0 when intact, 1 at the first break)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.services.audit import verify_audit_chain

audit_group = AppGroup("audit", help="The hash-chained audit log.")


@audit_group.command("verify")
@click.option(
    "--head",
    "expected_head",
    default=None,
    help="A head hash noted earlier (e.g. from a results page); it must still be an entry of the chain.",
)
def verify_command(expected_head: str | None) -> None:
    """Walk the whole log and report the first entry that was edited, removed or reordered."""
    report = verify_audit_chain(expected_head=expected_head.strip().lower() if expected_head else None)
    if report.problem is None:
        click.echo(f"audit log intact: {report.entries} entries, head {report.head or '(empty)'}")
        return
    problem = report.problem
    where = f"entry {problem.entry_id}" if problem.entry_id is not None else "head"
    click.echo(
        f"audit log BROKEN at {where}: {problem.kind} ({problem.detail}); "
        f"{report.entries} entries before it are intact",
        err=True,
    )
    raise SystemExit(1)
