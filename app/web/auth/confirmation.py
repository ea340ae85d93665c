"""Building links for e-mails (only the web layer knows URLs) and handing them to the services."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for

from app.models import User
from app.services.accounts import email_confirmation


def send_confirmation(user: User) -> None:
    token = email_confirmation.confirmation_token(user)
    link = public_url("auth.confirm_email", token=token)
    email_confirmation.send_confirmation_email(user, link)


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute link for an e-mail, on PUBLIC_BASE_URL: never on the request's Host header, which a
    visitor chooses (a forged host would send a password link to the attacker's site)."""
    return str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/") + url_for(endpoint, **values)
