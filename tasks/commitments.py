"""Flag commitments whose planned delivery date has passed (part of the sweep; also callable on its own)."""

from __future__ import annotations

from datetime import datetime

from app.services.commitments import overdue
from tasks.base import job


@job("wijkbudget.flag_overdue_commitments", soft_time_limit=120, time_limit=150)
def flag_overdue_commitments(now: str | None = None) -> list[int]:
    """Flag overdue commitments and notify the organisers; `now` (ISO 8601, aware) is for tests and replays.
    Idempotent: returns only the commitments flagged by this run."""
    moment = datetime.fromisoformat(now) if now else None
    if moment is not None and moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return overdue.flag_overdue_commitments(moment)
