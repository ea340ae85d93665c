"""The one retry policy and the outbox bookkeeping that every wijkbudget task shares.

`JobTask` runs a task inside its Flask app (default language, as a job has no visitor). Called with a `job_id`
(the relay always passes one), it claims the outbox row first, so a job delivered twice runs once; then:

- success: the row is `done`;
- a transient error (database or network trouble, a mail server saying "later"): the row waits `backoff(n)`
  and is handed over again, until `max_attempts`;
- anything else, or the last attempt: the row is `failed` with the reason, and the task's `on_give_up` leaves
  the job's own visible state (a failed import, a failed batch, an audit event) for organisers.

Called without a `job_id` (beat, tests, the command line) it is a plain call that raises what it raises.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from datetime import timedelta
from typing import Any, ClassVar

from celery import Task, shared_task
from flask import Flask
from flask_babel import force_locale
from sqlalchemy.exc import DBAPIError, OperationalError

from app.extensions import db
from app.services import jobs
from app.services.errors import RuleViolation, TryAgainLater
from tasks import relay

log = logging.getLogger(__name__)


def backoff(attempt: int, base: float, cap: float) -> timedelta:
    """The pause before attempt `attempt + 1`: base, 2 x base, 4 x base, ... never more than cap."""
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempt - 1)))


class JobTask(Task):  # type: ignore[misc]
    # The retry policy, the same for every task unless a task says otherwise.
    max_attempts: ClassVar[int] = 5
    backoff_base: ClassVar[float] = 10.0
    backoff_cap: ClassVar[float] = 600.0
    soft_time_limit = 300
    time_limit = 330
    acks_late = True  # every task is idempotent; a worker lost mid-job leaves the message for another
    reject_on_worker_lost = True
    transient_errors: ClassVar[tuple[type[BaseException], ...]] = (
        OperationalError,
        ConnectionError,
        TimeoutError,
        TryAgainLater,
    )
    # Leaves the job's own visible state when it gives up: on_give_up(*args, reason=...).
    on_give_up: ClassVar[Callable[..., None] | None] = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        flask_app: Flask = self.app.flask_app
        job_id = kwargs.pop("job_id", None)
        with flask_app.app_context(), force_locale(flask_app.config.get("BABEL_DEFAULT_LOCALE", "nl")):
            if job_id is None:
                return self.run(*args, **kwargs)
            return self._run_job(int(job_id), args, kwargs)

    def _run_job(self, job_id: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        lease = timedelta(seconds=(self.time_limit or 600) + 60)
        claimed = jobs.claim_job(job_id, worker_name(self), lease)
        if claimed is None:
            log.info("job %s (%s) is not due or already taken; skipped", job_id, self.name)
            return None
        try:
            result = self.run(*args, **kwargs)
        except self.transient_errors as exc:
            db.session.rollback()
            if claimed.attempts < self.max_attempts:
                self._retry_later(job_id, claimed.attempts, exc)
                return None
            self._give_up(job_id, args, f"gave up after {claimed.attempts} attempts: {describe(exc)}")
            return None
        except Exception as exc:  # noqa: BLE001 - not transient: retrying would fail the same way
            db.session.rollback()
            log.exception("job %s (%s) failed", job_id, self.name)
            self._give_up(job_id, args, describe(exc))
            return None
        jobs.finish_job(job_id)
        return result

    def _retry_later(self, job_id: int, attempts: int, exc: BaseException) -> None:
        scale = float(self.app.flask_app.config.get("JOB_BACKOFF_SCALE", 1.0))
        pause = backoff(attempts, self.backoff_base, self.backoff_cap) * scale
        jobs.postpone_job(job_id, pause, describe(exc))
        log.warning("job %s (%s) will be retried in %s: %s", job_id, self.name, pause, describe(exc))
        relay.hand_over_later(job_id, self.name, pause)

    def _give_up(self, job_id: int, args: tuple[Any, ...], reason: str) -> None:
        jobs.give_up_job(job_id, reason)
        hook = type(self).on_give_up
        if hook is not None:
            try:
                hook(*args, reason=reason)
            except Exception:  # noqa: BLE001 - the outbox row already says it failed
                db.session.rollback()
                log.exception("the give-up step of job %s (%s) failed", job_id, self.name)


def job(name: str, *, on_give_up: Callable[..., None] | None = None, **options: Any) -> Callable[..., Any]:
    """Declare a wijkbudget task: `@job("wijkbudget.x", soft_time_limit=..., on_give_up=...)`."""

    def register(fn: Callable[..., Any]) -> Any:
        extra = {"on_give_up": staticmethod(on_give_up)} if on_give_up else {}
        return shared_task(base=JobTask, name=name, **extra, **options)(fn)

    return register


def describe(exc: BaseException) -> str:
    """A short reason for organisers: a rule's own message, or the error's kind and text (no traceback)."""
    if isinstance(exc, RuleViolation):
        return str(exc.message)
    if isinstance(exc, DBAPIError):
        return f"{type(exc).__name__}: {str(exc.orig).splitlines()[0] if exc.orig else ''}"
    return f"{type(exc).__name__}: {exc}"[: jobs.FAILURE_MAX]


def worker_name(task: Task) -> str:
    """The worker node running `task` ("celery@host"), or this process when jobs run in-process."""
    hostname = getattr(task.request, "hostname", None)
    return hostname or f"in-process@{socket.gethostname()}:{os.getpid()}"
