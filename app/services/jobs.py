"""Background jobs as services ask for them: `enqueue_job` is the one way a service starts work for later.

A service names the job (its task name, e.g. "wijkbudget.import_register") and passes ids and plain values;
the job starts only after the caller's transaction commits, and never when it rolls back. Services know nothing
of Celery: how the job reaches a worker is the tasks layer's business.
"""

from __future__ import annotations

from typing import Any

from app.services.after_commit import enqueue_after_commit


def enqueue_job(task_name: str, *args: Any, round_id: int | None = None) -> None:
    """Run the job `task_name(*args)` once the current transaction commits; `round_id` says whose it is."""
    enqueue_after_commit(task_name, *args)
