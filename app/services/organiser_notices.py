"""Notifications for every organiser (another component may turn these rows into e-mails)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Notification, Role, User

ORGANISER_ROLES = (Role.ORGANISER.value, Role.ADMIN.value)


def notify_organisers(kind: str, *, project_id: int | None, details: dict[str, Any]) -> list[Notification]:
    """Add one Notification per organiser (admins included: they act as organisers) to the current
    transaction; the calling service commits."""
    organiser_ids = db.session.scalars(
        select(User.id).where(User.role.in_(ORGANISER_ROLES)).order_by(User.id)
    )
    notifications = [
        Notification(user_id=user_id, kind=kind, project_id=project_id, details=dict(details))
        for user_id in organiser_ids
    ]
    db.session.add_all(notifications)
    return notifications
