"""Errors a service raises when a rule of the round says no. Messages are lazily translated."""

from __future__ import annotations

from typing import Any


class RuleViolation(Exception):
    """The request breaks a rule (phase, kaders, role); nothing was changed.

    `message` is a lazy Flask-Babel string so views show it in the visitor's language;
    `field` names the form field it belongs to, when there is one.
    """

    def __init__(self, message: Any, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


class NotAllowed(RuleViolation):
    """The actor's role does not allow this action (views answer 403)."""


class NotFound(RuleViolation):
    """The thing asked for does not exist (views answer 404)."""


class TryAgainLater(Exception):
    """Work that may succeed later (a mail server that is down, a service that answers "busy").

    A background job that raises it is retried with backoff (the tasks layer's one retry policy).
    """
