"""One JSON log line per task run, carrying the request id of the request that asked for the job.

The relay passes the request id in the message headers (`request_id`); a job the sweep hands over has none and
is logged under its task id. Arguments are never logged: they are ids, but a line has no need of them.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from celery import Task
from celery.signals import task_postrun, task_prerun

from app.logs import bind_request_id, current_request_id, unbind_request_id

log = logging.getLogger("wijkbudget.task")

_running: dict[str, tuple[float, object]] = {}


@task_prerun.connect
def _start(task_id: str, task: Task, **_: Any) -> None:
    request_id = getattr(task.request, "request_id", None)
    # A job run in-process (no broker) belongs to the request running it and keeps that request's id.
    in_request = current_request_id() is not None
    token = None if in_request else bind_request_id(str(request_id) if request_id else task_id)
    _running[task_id] = (time.perf_counter(), token)


@task_postrun.connect
def _finish(task_id: str, task: Task, state: str | None = None, **_: Any) -> None:
    started, token = _running.pop(task_id, (time.perf_counter(), None))
    log.info(
        "task",
        extra={
            "task": task.name,
            "task_id": task_id,
            "state": state,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )
    if token is not None:
        unbind_request_id(token)
