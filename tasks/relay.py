"""The outbox relay: hands committed outbox rows to the workers, or runs them in-process without a broker.

A service writes an `OutboxJob` row in its own transaction (`app.services.jobs.enqueue_job`). This module
notices the rows a session flushes; when the outermost transaction commits they are handed over:

- with a broker (REDIS_URL): each is published to Celery by name, with `job_id`, and marked `published`. A
  broker that does not answer costs one short timeout, after which publishing is skipped for
  `BROKER_PAUSE` (no request waits on a broker that is down); the rows stay `pending` and the sweep hands them
  over once the broker is back.
- without a broker (the embedded default): each runs in-process at once, from its row.

Rolled-back rows never existed, so nothing is handed over for them. The sweep (`tasks.sweep`) calls
`hand_over_due` every minute for what is due again, was never handed over, or was lost with its worker.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from datetime import timedelta

import celery
from flask import Flask, current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from app.extensions import db
from app.logs import current_request_id
from app.models import OutboxJob, OutboxState
from app.models.base import utcnow
from app.services import jobs
from tasks.broker import celery_for, has_broker

log = logging.getLogger(__name__)

BROKER_PAUSE = 30.0  # seconds without publishing after the broker failed to answer
_FLUSHED = "wijkbudget.outbox_flushed"  # ids written in the open transaction
_COMMITTED = "wijkbudget.outbox_committed"  # their transaction committed; handed over when it has ended
_broker_down_until = 0.0
_breaker_lock = threading.Lock()


@event.listens_for(Session, "after_flush")
def _notice_new_jobs(session: Session, flush_context: object) -> None:
    new = [obj.id for obj in session.new if isinstance(obj, OutboxJob)]
    if new:
        session.info.setdefault(_FLUSHED, []).extend(new)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    # A released savepoint also fires after_commit; only the outermost commit makes the rows final.
    if session.get_nested_transaction() is None and session.info.get(_FLUSHED):
        session.info.setdefault(_COMMITTED, []).extend(session.info.pop(_FLUSHED))


@event.listens_for(Session, "after_transaction_end")
def _hand_over_committed(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None or transaction.nested:
        return
    session.info.pop(_FLUSHED, None)  # rolled back: these jobs never existed
    committed = session.info.pop(_COMMITTED, None)
    if committed:
        # After the transaction has ended, so an in-process job may use this session again.
        hand_over(committed)


def _app_context() -> AbstractContextManager[object]:
    """The current app's context, or (for a commit made outside any, e.g. a script) the current Celery app's."""
    if has_app_context():
        return nullcontext()
    flask_app: Flask = celery.current_app.flask_app
    return flask_app.app_context()


def hand_over(job_ids: Iterable[int]) -> None:
    """Give these committed jobs to a worker now, or run them here when there is no broker."""
    ids = list(job_ids)
    try:
        with _app_context():
            if has_broker(current_app):
                _publish(ids)
            else:
                _run_here(ids)
    except Exception:  # noqa: BLE001 - the commit stands; the rows tell the sweep what is left to do
        log.exception("could not hand over outbox jobs %s", ids)


def hand_over_later(job_id: int, task_name: str, pause: timedelta) -> None:
    """A job waits `pause` before its next attempt: the broker keeps it until then; in-process, the sweep runs
    it when it is due."""
    if has_broker(current_app):
        _publish([job_id])


def hand_over_due() -> int:
    """The sweep's part: hand over every job that is due, untaken, or lost; returns how many."""
    with _app_context():
        due = [job.id for job in jobs.jobs_to_hand_over()]
    hand_over(due)
    return len(due)


def _publish(ids: list[int]) -> None:
    global _broker_down_until
    if not ids or time.monotonic() < _broker_down_until:
        return
    celery = celery_for(current_app)
    now = utcnow()
    published: list[int] = []
    rows = db.session.execute(
        select(OutboxJob.id, OutboxJob.name, OutboxJob.args, OutboxJob.available_at).where(
            OutboxJob.id.in_(ids), OutboxJob.state != OutboxState.DONE.value
        )
    ).all()
    db.session.commit()
    try:
        for job_id, name, args, available_at in rows:
            countdown = max(0.0, (available_at - now).total_seconds())
            celery.send_task(
                name,
                args=list(args),
                kwargs={"job_id": job_id},
                countdown=countdown,
                retry=False,
                headers={"request_id": current_request_id()},  # the task's log lines name the request
            )
            published.append(job_id)
    except Exception as exc:  # noqa: BLE001 - any broker trouble: stop trying for a while
        with _breaker_lock:
            _broker_down_until = time.monotonic() + BROKER_PAUSE
        log.warning(
            "broker unreachable (%s); %d outbox jobs wait for the sweep", exc, len(rows) - len(published)
        )
    finally:
        jobs.mark_published(published, now)


def _run_here(ids: list[int]) -> None:
    celery = celery_for(current_app)
    for job_id in ids:
        row = db.session.execute(
            select(OutboxJob.name, OutboxJob.args).where(OutboxJob.id == job_id)
        ).one_or_none()
        db.session.commit()
        if row is None:
            continue
        task = celery.tasks.get(row.name)
        if task is None:
            jobs.give_up_job(job_id, f"no task named {row.name}")
            continue
        task.apply(args=list(row.args), kwargs={"job_id": job_id})


def reset_breaker() -> None:
    """Forget an earlier broker failure (tests, and a worker that just connected)."""
    global _broker_down_until
    _broker_down_until = 0.0
