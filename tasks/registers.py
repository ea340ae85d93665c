"""Voter register jobs: import an uploaded register CSV, and delete registers whose retention has passed.

Both are idempotent (see `app.services.eligibility.registers` and `...retention`). The import resumes after its
last committed chunk when retried; when it gives up it is marked FAILED, so the organiser's page shows it
instead of a progress bar that never moves.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.services.eligibility import registers, retention
from tasks.base import job


def _import_failed(import_id: int, *, reason: str) -> None:
    registers.give_up_import(import_id)


@job("wijkbudget.import_register", soft_time_limit=600, time_limit=660, on_give_up=_import_failed)
def import_register(import_id: int) -> dict[str, Any]:
    """Process a queued register upload; returns its counts."""
    done = registers.process_register_import(import_id)
    return {"status": done.status, "imported": done.imported, "rejected": done.rejected}


@job("wijkbudget.purge_registers", soft_time_limit=600, time_limit=660)
def purge_registers(now: str | None = None) -> list[int]:
    """Delete registers whose retention period after publication has passed (`now`: ISO time)."""
    return retention.purge_registers(datetime.fromisoformat(now) if now else None)
