"""Mailed links that set a password: "forgot my password" (valid one hour) and a staff invitation (valid
`INVITATION_MAX_AGE` seconds, three days by default).

A link is an itsdangerous token signed with SECRET_KEY under a salt per purpose, holding the account id and a
fingerprint of the account's current password hash. Setting a password changes the hash, so a link works
once, and an older reset link dies with every newer password; nothing about links is stored. The view builds
the URL from the token (services build no URLs) and passes `link_for`.

Asking for a reset never tells whether an address has an account: the answer is the same, and either way one
e-mail goes to the address (to an unknown one it says that no account uses it), so the work is the same too.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from collections.abc import Callable
from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

from app.extensions import db
from app.models import User
from app.models.base import utcnow
from app.services.accounts.passwords import check_password
from app.services.accounts.users import find_user, normalise_email
from app.services.audit import record_event
from app.services.errors import RuleViolation
from app.services.notifications.mail import queue_email
from app.translated import lazy_gettext as _l

RESET_MAX_AGE = 3600


class Purpose(enum.StrEnum):
    RESET = "wijkbudget.password-reset"
    INVITATION = "wijkbudget.invitation"


class LinkRefused(RuleViolation):
    """The link expired, was used already, or is not one of ours; nothing was changed."""


def password_link_token(user: User, purpose: Purpose) -> str:
    return _serializer(purpose).dumps({"user": user.id, "pw": _fingerprint(user)})


def request_password_reset(email: str, language: str, link_for: Callable[[str], str]) -> None:
    """Mail a reset link to the account with this address, or to an unknown address a note that no account
    uses it. The caller shows the same answer either way. One transaction."""
    address = normalise_email(email)
    user = find_user(address)
    if user is None or not user.is_active:
        with force_locale(language):
            queue_email(address, gettext("Your request on wijkbudget"), _no_account_body())
    else:
        link = link_for(password_link_token(user, Purpose.RESET))
        with force_locale(user.language):
            queue_email(user.email, gettext("Choose a new password for wijkbudget"), _reset_body(user, link))
    db.session.commit()


def user_for_link(token: str, purpose: Purpose) -> User:
    """The account a still-valid link is for; LinkRefused (with the reason) otherwise."""
    try:
        data = _serializer(purpose).loads(token, max_age=_max_age(purpose))
    except SignatureExpired:
        raise LinkRefused(
            _l("This link has expired. Ask for a new one.")
            if purpose == Purpose.RESET
            else _l("This invitation has expired. Ask the admin for a new one.")
        ) from None
    except BadData:
        raise LinkRefused(_l("This link is not valid. Copy the whole link from the e-mail.")) from None
    user = db.session.get(User, data.get("user")) if isinstance(data, dict) else None
    if user is None or not user.is_active or not hmac.compare_digest(str(data.get("pw")), _fingerprint(user)):
        raise LinkRefused(
            _l("This link has been used already. Ask for a new one if you still need to set a password.")
        )
    return user


def set_password_from_link(token: str, purpose: Purpose, password: str) -> User:
    """Set the password a valid link allows. Ends every session of the account (its session version moves
    on), so whoever had it open elsewhere is logged out. An invitation also confirms the address."""
    user = user_for_link(token, purpose)
    check_password(password, personal=(user.email, user.name))
    user.set_password(password)
    user.session_version += 1
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()  # the link reached this mailbox
    record_event(None, f"account.password_set.{purpose.name.lower()}", subject=f"user:{user.id}")
    db.session.commit()
    return user


def _reset_body(user: User, link: str) -> str:
    return gettext(
        "Hello %(name)s,\n\nSomeone asked to choose a new password for your account on wijkbudget. Choose it "
        "with this link:\n\n%(link)s\n\nThe link works once, for one hour. Did you not ask for this? Then "
        "you can ignore this e-mail: your password stays the same.",
        name=user.name,
        link=link,
    )


def _no_account_body() -> str:
    return gettext(
        "Hello,\n\nSomeone asked to choose a new password on wijkbudget for this e-mail address, but no "
        "account uses this address. Perhaps you registered with another address.\n\nDid you not ask for "
        "this? Then you can ignore this e-mail."
    )


def _fingerprint(user: User) -> str:
    # A keyed digest, so the token does not carry anything of the password hash itself.
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, user.password_hash.encode(), hashlib.sha256).hexdigest()[:20]


def _max_age(purpose: Purpose) -> int:
    if purpose == Purpose.INVITATION:
        return int(current_app.config["INVITATION_MAX_AGE"])
    return RESET_MAX_AGE


def _serializer(purpose: Purpose) -> URLSafeTimedSerializer:
    secret: Any = current_app.config["SECRET_KEY"]
    return URLSafeTimedSerializer(secret, salt=purpose.value)
