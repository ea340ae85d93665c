"""Notifications for every organiser, in the app and by e-mail (through `app.services.notifications.inbox.notify`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Notification, Role, User
from app.services.notifications.inbox import notify

ORGANISER_ROLES = (Role.ORGANISER.value, Role.ADMIN.value)


def notify_organisers(kind: str, *, project_id: int | None, details: dict[str, Any]) -> list[Notification]:
    """Add one Notification per organiser (admins included: they act as organisers) to the current
    transaction; the calling service commits."""
    organisers = db.session.scalars(select(User).where(User.role.in_(ORGANISER_ROLES)).order_by(User.id))
    return [notify(user, kind, project_id=project_id, **details) for user in organisers]
