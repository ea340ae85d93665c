"""Confirming a resident's e-mail address with a signed link that expires.

The token is signed with the app's SECRET_KEY (itsdangerous, its own salt) and holds the account id and the
address it was sent to, so a link stops working when the address changes; it expires after
`EMAIL_CONFIRMATION_MAX_AGE` seconds (config; three days by default). Nothing about the token is stored. The
view builds the link (services build no URLs) and calls `send_confirmation_email` after the account is
committed.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

from app.extensions import db
from app.models import User
from app.models.base import utcnow
from app.services.errors import RuleViolation
from app.services.notifications.mail import queue_email
from app.translated import lazy_gettext as _l

SALT = "wijkbudget.email-confirmation"


def confirmation_token(user: User) -> str:
    """A signed, URL-safe token for this account and its current address."""
    return _serializer().dumps({"user": user.id, "email": user.email})


def confirm_email(token: str) -> User:
    """Mark the address in the token as confirmed. Idempotent; RuleViolation for an expired, tampered or
    outdated link (the address changed since it was sent)."""
    try:
        data = _serializer().loads(token, max_age=_max_age())
    except SignatureExpired:
        raise RuleViolation(
            _l("This confirmation link has expired. Log in and ask for a new one on your profile page.")
        ) from None
    except BadData:
        raise RuleViolation(
            _l("This confirmation link is not valid. Copy the whole link from the e-mail.")
        ) from None
    user = db.session.get(User, data.get("user")) if isinstance(data, dict) else None
    if user is None or user.email != data.get("email"):
        raise RuleViolation(_l("This confirmation link is not valid. Copy the whole link from the e-mail."))
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        db.session.commit()
    return user


def send_confirmation_email(user: User, link: str) -> None:
    """Queue the confirmation link in the account's own language; one transaction (the mail job runs after it)."""
    with force_locale(user.language):
        subject = gettext("Confirm your e-mail address for wijkbudget")
        body = gettext(
            "Hello %(name)s,\n\nPlease confirm your e-mail address by opening this link:\n\n%(link)s\n\n"
            "The link works for %(hours)d hours. Did you not create an account on wijkbudget? Then you can "
            "ignore this e-mail.",
            name=user.name,
            link=link,
            hours=_max_age() // 3600,
        )
    queue_email(user.email, subject, body)
    db.session.commit()


def _max_age() -> int:
    return int(current_app.config["EMAIL_CONFIRMATION_MAX_AGE"])


def _serializer() -> URLSafeTimedSerializer:
    secret: Any = current_app.config["SECRET_KEY"]
    return URLSafeTimedSerializer(secret, salt=SALT)
