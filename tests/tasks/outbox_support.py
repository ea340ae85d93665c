"""Helpers for outbox tests: read a job's row, make it due now, run what is due as the sweep would."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from app.extensions import db
from app.models import OutboxJob
from app.models.base import utcnow


def jobs_named(name: str) -> list[OutboxJob]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxJob).where(OutboxJob.name == name).order_by(OutboxJob.id)))


def make_due(job_id: int) -> None:
    """Skip a job's backoff pause, as if the clock had moved past it."""
    db.session.execute(
        update(OutboxJob).where(OutboxJob.id == job_id).values(available_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
