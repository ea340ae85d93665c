"""Voter register jobs: import an uploaded register CSV, and delete registers whose retention has passed.

Both are idempotent (see `app.services.eligibility.registers` and `app.services.eligibility.retention`). The import retries
transient failures with exponential backoff (it resumes after the last committed chunk); when it gives up,
or meets an error that is not transient, the import is marked FAILED so the organiser's page shows it instead
of a progress bar that never moves.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from celery import Task, shared_task
from sqlalchemy.exc import OperationalError

from app.services.eligibility import registers
from app.services.eligibility import retention as register_retention

RETRY_ON = (OperationalError, ConnectionError, TimeoutError)
MAX_RETRIES = 5


@shared_task(
    name="wijkbudget.import_register", bind=True, soft_time_limit=600, time_limit=660, acks_late=True
)
def import_register(self: Task, import_id: int) -> dict[str, Any]:
    """Process a queued register upload; returns its counts."""
    try:
        job = registers.process_register_import(import_id)
    except RETRY_ON as exc:
        if self.request.retries >= MAX_RETRIES:
            registers.give_up_import(import_id)
            raise
        raise self.retry(exc=exc, countdown=min(300, 5 * 2**self.request.retries)) from exc
    except Exception:
        registers.give_up_import(import_id)  # not transient: retrying would fail the same way
        raise
    return {"status": job.status, "imported": job.imported, "rejected": job.rejected}


@shared_task(name="wijkbudget.purge_registers", soft_time_limit=600, time_limit=660)
def purge_registers(now: str | None = None) -> list[int]:
    """Beat job: delete registers whose retention period after publication has passed (`now`: ISO time)."""
    return register_retention.purge_registers(datetime.fromisoformat(now) if now else None)
