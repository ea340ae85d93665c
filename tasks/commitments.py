"""Beat job that flags commitments whose planned delivery date has passed."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task
from sqlalchemy.exc import OperationalError

from app.services.commitments import overdue


@shared_task(
    name="wijkbudget.flag_overdue_commitments",
    autoretry_for=(OperationalError, ConnectionError, TimeoutError),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
    soft_time_limit=120,
    time_limit=150,
)
def flag_overdue_commitments(now: str | None = None) -> list[int]:
    """Flag overdue commitments and notify the organisers; `now` (ISO 8601, aware) is for tests and replays.
    Idempotent: returns only the commitments flagged by this run."""
    moment = datetime.fromisoformat(now) if now else None
    if moment is not None and moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return overdue.flag_overdue_commitments(moment)
