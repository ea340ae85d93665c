"""Background jobs through a transactional outbox: `enqueue_job` is the one way a service starts work for later.

A service names the job (its task name, e.g. "wijkbudget.import_register") and passes ids and plain values.
`enqueue_job` only adds an `OutboxJob` row to the caller's transaction, so the job exists exactly when the change
that asked for it was committed. The tasks layer hands committed rows to a worker (or runs them in-process when
there is no broker) and re-hands what no worker took; services know nothing of Celery.

The rest of this module is the row's life, used by the tasks layer. Each function is its own short transaction:

    pending --publish--> published --claim--> running --finish--> done
       ^                                         |  \\--give_up--> failed (with the reason)
       \\-------- postpone (retry later) / lease lost -----/

`claim_job` is a conditional update, so of two deliveries of one job (a re-published message, a redelivery
after a worker was lost) only one runs it; every task is idempotent besides, for the window between the work's
own commit and `finish_job`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update

from app.extensions import db
from app.models import OutboxJob, OutboxState
from app.models.base import utcnow

FAILURE_MAX = 2000
UNTAKEN_AFTER = timedelta(minutes=1)  # a published job no worker took by then is handed over again
WAITING_AFTER = timedelta(minutes=2)  # organisers are shown jobs that wait longer than this
_LIVE = (OutboxState.PENDING.value, OutboxState.PUBLISHED.value, OutboxState.RUNNING.value)


def enqueue_job(task_name: str, *args: Any, round_id: int | None = None) -> OutboxJob:
    """Ask for `task_name(*args)` after the current transaction commits; `round_id` says whose job it is.

    Arguments must be JSON values (ids, short texts). Nothing runs when the transaction rolls back.
    """
    job = OutboxJob(name=task_name, args=list(args), round_id=round_id, state=OutboxState.PENDING.value)
    db.session.add(job)
    return job


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    name: str
    args: list[Any]
    attempts: int  # including this one


def claim_job(job_id: int, worker: str, lease: timedelta, now: datetime | None = None) -> ClaimedJob | None:
    """Take a due job for `worker` until `now + lease`; None when it is not there, not due, or already taken."""
    now = now or utcnow()
    claimed = db.session.execute(
        update(OutboxJob)
        .where(
            OutboxJob.id == job_id,
            OutboxJob.available_at <= now,
            or_(
                OutboxJob.state.in_((OutboxState.PENDING.value, OutboxState.PUBLISHED.value)),
                (OutboxJob.state == OutboxState.RUNNING.value) & (OutboxJob.lease_until < now),
            ),
        )
        .values(
            state=OutboxState.RUNNING.value,
            attempts=OutboxJob.attempts + 1,
            started_at=now,
            lease_until=now + lease,
            worker=worker[:200],
        )
        .returning(OutboxJob.id, OutboxJob.name, OutboxJob.args, OutboxJob.attempts)
    ).one_or_none()
    db.session.commit()
    return ClaimedJob(claimed.id, claimed.name, list(claimed.args), claimed.attempts) if claimed else None


def finish_job(job_id: int) -> None:
    _end(job_id, OutboxState.DONE, None)


def give_up_job(job_id: int, reason: str) -> None:
    """The job will not be tried again; `reason` is what organisers read."""
    _end(job_id, OutboxState.FAILED, reason or "gave up")


def postpone_job(job_id: int, delay: timedelta, error: str, now: datetime | None = None) -> datetime:
    """Try again after `delay` (a transient error); returns when. The error stays readable meanwhile."""
    when = (now or utcnow()) + delay
    db.session.execute(
        update(OutboxJob)
        .where(OutboxJob.id == job_id, OutboxJob.state == OutboxState.RUNNING.value)
        .values(
            state=OutboxState.PENDING.value,
            available_at=when,
            published_at=None,
            lease_until=None,
            failure=error[:FAILURE_MAX],
        )
    )
    db.session.commit()
    return when


def mark_published(job_ids: list[int], now: datetime | None = None) -> None:
    """The broker has these jobs now (a worker may already have claimed some: those stay as they are)."""
    if not job_ids:
        return
    db.session.execute(
        update(OutboxJob)
        .where(
            OutboxJob.id.in_(job_ids),
            OutboxJob.state.in_((OutboxState.PENDING.value, OutboxState.PUBLISHED.value)),
        )
        .values(state=OutboxState.PUBLISHED.value, published_at=now or utcnow())
    )
    db.session.commit()


def jobs_to_hand_over(now: datetime | None = None, limit: int = 500) -> list[OutboxJob]:
    """Jobs a worker should have: due and never handed over, handed over a minute ago and not taken, or
    taken by a worker whose lease ran out (it was killed or lost)."""
    now = now or utcnow()
    due = OutboxJob.available_at <= now
    never_handed = (OutboxJob.state == OutboxState.PENDING.value) & due
    untaken = (
        (OutboxJob.state == OutboxState.PUBLISHED.value)
        & (OutboxJob.published_at <= now - UNTAKEN_AFTER)
        & (OutboxJob.available_at <= now - UNTAKEN_AFTER)
    )
    lost = (OutboxJob.state == OutboxState.RUNNING.value) & (OutboxJob.lease_until < now)
    jobs = list(
        db.session.scalars(
            select(OutboxJob).where(or_(never_handed, untaken, lost)).order_by(OutboxJob.id).limit(limit)
        )
    )
    db.session.commit()
    return jobs


def release_worker_jobs(worker: str) -> int:
    """A worker that (re)starts runs nothing yet: what it held when it stopped is handed over again now."""
    released = db.session.execute(
        update(OutboxJob)
        .where(OutboxJob.state == OutboxState.RUNNING.value, OutboxJob.worker == worker[:200])
        .values(state=OutboxState.PENDING.value, lease_until=None, published_at=None)
    ).rowcount  # type: ignore[attr-defined]
    db.session.commit()
    return int(released or 0)


def job_state(job_id: int) -> str | None:
    return db.session.scalar(select(OutboxJob.state).where(OutboxJob.id == job_id))


def jobs_needing_attention(
    round_id: int | None = None, now: datetime | None = None, *, round_ids: Collection[int] | None = None
) -> list[OutboxJob]:
    """What organisers should see: jobs that failed, and live jobs waiting longer than WAITING_AFTER.
    `round_ids` keeps only the jobs of those rounds (an organiser's wijken); None keeps every job."""
    now = now or utcnow()
    waiting = OutboxJob.state.in_(_LIVE) & (OutboxJob.created_at <= now - WAITING_AFTER)
    query = select(OutboxJob).where(or_(OutboxJob.state == OutboxState.FAILED.value, waiting))
    if round_id is not None:
        query = query.where(OutboxJob.round_id == round_id)
    if round_ids is not None:
        query = query.where(OutboxJob.round_id.in_(list(round_ids)))
    return list(db.session.scalars(query.order_by(OutboxJob.created_at.desc()).limit(200)))


def _end(job_id: int, state: OutboxState, failure: str | None) -> None:
    values: dict[str, Any] = {"state": state.value, "finished_at": utcnow(), "lease_until": None}
    if failure is not None:
        values["failure"] = failure[:FAILURE_MAX]
    # Done only from running; a job may give up before it ever ran (e.g. no task of that name).
    from_states = (OutboxState.RUNNING.value,) if state is OutboxState.DONE else _LIVE
    db.session.execute(
        update(OutboxJob).where(OutboxJob.id == job_id, OutboxJob.state.in_(from_states)).values(**values)
    )
    db.session.commit()
