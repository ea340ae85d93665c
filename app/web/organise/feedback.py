"""Put a service's refusal next to the form field it belongs to (or above the form)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm

from app.services.errors import RuleViolation
from app.services.rounds.wijken import InvalidFields


def add_error(form: FlaskForm, field: str | None, message: Any) -> None:
    """Field errors are a tuple until a form is validated, so assign a new list rather than append."""
    if field and field in form:
        form[field].errors = [*form[field].errors, message]
    else:
        form.form_errors.append(message)


def show_violation(form: FlaskForm, exc: RuleViolation) -> int:
    """Show a refusal on the form; returns the status: 200 for bad input, 409 when the state says no."""
    if isinstance(exc, InvalidFields):
        for field, message in exc.errors.items():
            add_error(form, field, message)
        return 200
    add_error(form, exc.field, exc.message)
    return 200 if exc.field else 409
