"""Building the confirmation link (only the web layer knows URLs) and handing it to the service."""

from __future__ import annotations

from flask import url_for

from app.models import User
from app.services.accounts import email_confirmation


def send_confirmation(user: User) -> None:
    token = email_confirmation.confirmation_token(user)
    link = url_for("auth.confirm_email", token=token, _external=True)
    email_confirmation.send_confirmation_email(user, link)
