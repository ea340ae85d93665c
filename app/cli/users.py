"""`wijkbudget users ...`: accounts of any role from the command line; this is how the first admin is made.

The operator is the actor (None on the audit log). The password is asked twice on a terminal and read from
standard input otherwise (the first line, or two lines that must be equal), so it never lands in the shell's
history or the process list.
"""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from flask_babel import force_locale

from app.models import Role
from app.services.accounts import staff, two_step
from app.services.errors import RuleViolation

ROLE_CHOICE = click.Choice([r.value for r in Role])


@click.group("users")
def users_group() -> None:
    """Accounts: create, list, change the role, deactivate."""


@users_group.command("create")
@click.argument("email")
@click.option(
    "--role", type=ROLE_CHOICE, required=True, help="resident, professional, organiser, poll_worker, admin"
)
@click.option("--name", required=True, help="The name colleagues see.")
@click.option("--wijk", "wijk_ids", type=int, multiple=True, help="Id of the account's wijk.")
@click.option("--lang", type=click.Choice(("nl", "en")), default="nl", show_default=True, help="Language.")
@with_appcontext
def create_command(email: str, role: str, name: str, wijk_ids: tuple[int, ...], lang: str) -> None:
    """Create an account for EMAIL; the password is asked twice (or read from standard input)."""
    password = _read_password()
    with force_locale("en"):
        user = _refusing(
            lambda: staff.create_account(None, email, name, Role(role), password, wijk_ids, lang)
        )
    click.echo(f"created account {user.id}: {user.email} ({user.role})")


@users_group.command("list")
@click.option("--role", type=ROLE_CHOICE, default=None, help="Only accounts with this role.")
@with_appcontext
def list_command(role: str | None) -> None:
    """Every account (or those of one role): id, e-mail, role, wijk and whether it is active."""
    for user in staff.list_accounts(Role(role) if role else None):
        state = "deactivated" if user.deactivated_at else "active"
        wijk = f"wijk {user.wijk_id}" if user.wijk_id else "-"
        click.echo(f"{user.id}\t{user.email}\t{user.role}\t{wijk}\t{state}\t{user.name}")


@users_group.command("set-role")
@click.argument("email")
@click.argument("role", type=ROLE_CHOICE)
@click.option("--wijk", "wijk_ids", type=int, multiple=True, help="Id of the account's wijk.")
@with_appcontext
def set_role_command(email: str, role: str, wijk_ids: tuple[int, ...]) -> None:
    """Give the account of EMAIL the role ROLE (and, with --wijk, that wijk)."""
    with force_locale("en"):
        user = _refusing(
            lambda: staff.set_role(None, staff.find_account(email).id, Role(role), wijk_ids or None)
        )
    click.echo(f"{user.email} is now {user.role}")


@users_group.command("deactivate")
@click.argument("email")
@with_appcontext
def deactivate_command(email: str) -> None:
    """The account of EMAIL can no longer log in; its sessions end and its history stays."""
    with force_locale("en"):
        user = _refusing(lambda: staff.deactivate(None, staff.find_account(email).id))
    click.echo(f"{user.email} is deactivated")


@users_group.command("reset-two-step")
@click.argument("email")
@with_appcontext
def reset_two_step_command(email: str) -> None:
    """For someone who lost both phone and recovery codes: two-step login is set up anew at the next login."""
    with force_locale("en"):
        user = _refusing(lambda: staff.find_account(email))
    two_step.reset_for_lost_phone(None, user)
    click.echo(f"{user.email}: two-step login is set up again at the next login")


def _read_password() -> str:
    if sys.stdin.isatty():
        return str(click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password"))
    lines = [line.rstrip("\r\n") for line in sys.stdin.read().splitlines()[:2]]
    if not lines or not lines[0]:
        raise click.ClickException("No password on standard input.")
    if len(lines) == 2 and lines[1] != lines[0]:
        raise click.ClickException("The two passwords are not the same.")
    return lines[0]


def _refusing(action):  # type: ignore[no-untyped-def]
    """Run a service call; a refusal becomes the command's error message and exit status 1."""
    try:
        return action()
    except RuleViolation as refused:
        raise click.ClickException(str(refused.message)) from None
