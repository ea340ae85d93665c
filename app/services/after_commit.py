"""Enqueue jobs only once the transaction that they depend on has committed.

A job enqueued inside a transaction could run before the commit (and find nothing) or after a rollback (and act
on something that never happened). `enqueue_after_commit` parks the job on the session; it is handed to Celery
when the outermost transaction commits and dropped when it rolls back. Work that has nothing parked (the ballot
path) never touches Celery.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from app.celery_app import celery_for
from app.extensions import db

log = logging.getLogger(__name__)

_PARKED = "wijkbudget.jobs_parked"  # enqueued in the open transaction
_COMMITTED = "wijkbudget.jobs_committed"  # their transaction committed; to be sent when it has ended


def enqueue_after_commit(task_name: str, *args: Any) -> None:
    """Enqueue the Celery task `task_name(*args)` after the current transaction of `db.session` commits.

    Nothing is enqueued when the transaction rolls back. A broker that cannot be reached is logged, not
    raised: the commit has happened, and the job's rows stay findable for a sweep.
    """
    session = db.session()
    session.info.setdefault(_PARKED, []).append((task_name, args))


@event.listens_for(Session, "after_commit")
def _commit_parked_jobs(session: Session) -> None:
    # A released savepoint also fires after_commit; only the outermost commit makes the rows final.
    if session.get_nested_transaction() is None and session.info.get(_PARKED):
        session.info.setdefault(_COMMITTED, []).extend(session.info.pop(_PARKED))


@event.listens_for(Session, "after_transaction_end")
def _send_committed_jobs(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None or transaction.nested:
        return
    session.info.pop(_PARKED, None)  # rolled back: these never happened
    jobs = session.info.pop(_COMMITTED, None)
    # Sent once the transaction has ended, so an in-process (eager) job may use this session again.
    for task_name, args in jobs or ():
        _enqueue(task_name, args)


def _enqueue(task_name: str, args: tuple[Any, ...]) -> None:
    try:
        celery_for(current_app._get_current_object()).tasks[task_name].delay(*args)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - the commit stands; the sweep retries what was not enqueued
        # With a broker: it was unreachable. In-process (no broker): the job itself failed or asked to retry.
        log.exception("job %s%r did not complete after the commit", task_name, args)
