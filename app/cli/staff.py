"""`wijkbudget staff wijken EMAIL --wijk ID ...`: which wijken a staff account works for (the server's operator).

A stopgap until `wijkbudget users create ... --wijk` exists; both call `set_staff_wijken`.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services.accounts.users import normalise_email
from app.services.accounts.wijk_access import set_staff_wijken
from app.services.errors import RuleViolation

staff_group = AppGroup("staff", help="Staff accounts: the wijken they work for.")


@staff_group.command("wijken")
@click.argument("email")
@click.option(
    "--wijk", "wijk_ids", type=int, multiple=True, help="A wijk id; repeat for several. None: no wijk."
)
def wijken_command(email: str, wijk_ids: tuple[int, ...]) -> None:
    """Let the account work for exactly these wijken (an admin works for every wijk anyway)."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise click.ClickException(f"no account with the e-mail address {email}")
    try:
        set_staff_wijken(user, wijk_ids)
    except RuleViolation as refused:
        raise click.ClickException(str(refused.message)) from None
    names = ", ".join(w.name for w in user.staff_wijken) or "(none)"
    click.echo(f"{user.email} ({user.role}) works for: {names}")
