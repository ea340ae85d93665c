"""Registration that never tells whether an address has an account.

Either way the visitor sees the same page ("look in your mailbox") and one e-mail goes to the address: a new
account gets its confirmation link, an existing one a note that someone tried to register with it, with
links to log in and to choose a new password. The password is hashed either way, so the answer time is the
same too. Nobody is logged in by registering; the resident logs in after confirming.
"""

from __future__ import annotations

from datetime import date

from flask_babel import force_locale, gettext

from app.extensions import db
from app.models import User
from app.services.accounts.users import AddressTaken, find_user, register_resident
from app.services.notifications.mail import queue_email


def register(
    email: str,
    name: str,
    password: str,
    language: str,
    wijk_id: int | None,
    *,
    postcode: str,
    birth_date: date | None,
    login_link: str,
    reset_link: str,
) -> User | None:
    """The new account (the caller sends its confirmation link), or None when the address had one: then its
    owner is mailed instead. RuleViolation for bad input, the same for either case."""
    try:
        return register_resident(
            email, name, password, language, wijk_id, postcode=postcode, birth_date=birth_date
        )
    except AddressTaken:
        owner = find_user(email)
        if owner is not None and owner.is_active:
            with force_locale(owner.language):
                queue_email(
                    owner.email,
                    gettext("Someone tried to register with your address"),
                    _body(owner, login_link, reset_link),
                )
            db.session.commit()
        return None


def _body(owner: User, login_link: str, reset_link: str) -> str:
    return gettext(
        "Hello %(name)s,\n\nSomeone tried to create an account on wijkbudget with this e-mail address, but you "
        "already have one. Was it you? Then log in here:\n\n%(login)s\n\nForgot your password? Choose a new "
        "one here:\n\n%(reset)s\n\nWas it not you? Then you can ignore this e-mail; nothing has changed.",
        name=owner.name,
        login=login_link,
        reset=reset_link,
    )
