"""Append audit events for organiser and professional actions, inside the caller's transaction."""

from __future__ import annotations

from typing import Any

from app.extensions import db
from app.models import AuditEvent, User


def record_event(
    actor: User | None,
    action: str,
    *,
    round_id: int | None = None,
    subject: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction; the calling service commits it."""
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        action=action,
        round_id=round_id,
        subject=subject,
        details=details or {},
    )
    db.session.add(event)
    return event
