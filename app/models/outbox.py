"""The transactional outbox: background work a service asked for, written in the same transaction as its cause.

A row is the job's one source of truth. The tasks layer hands it to a worker after the commit (or runs it
in-process when no broker is configured), a worker claims it before running it, and it ends `done` or `failed`
with the reason. Arguments are ids and plain values only: never a code, a receipt or anything about a voter.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class OutboxState(enum.StrEnum):
    PENDING = "pending"  # waiting to be handed to a worker, from `available_at` on
    PUBLISHED = "published"  # handed to the broker; no worker has taken it yet
    RUNNING = "running"  # a worker claimed it; `lease_until` says when it counts as lost
    DONE = "done"
    FAILED = "failed"  # gave up; `failure` says why


OUTBOX_STATES = tuple(s.value for s in OutboxState)


class OutboxJob(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "outbox_jobs"
    __table_args__ = (
        CheckConstraint(f"state IN {OUTBOX_STATES!r}", name="state_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        CheckConstraint("state != 'running' OR lease_until IS NOT NULL", name="running_has_lease"),
        CheckConstraint("state != 'failed' OR failure IS NOT NULL", name="failed_says_why"),
        # The sweep looks for work that is due or lost; organisers look for what failed or waits.
        Index("ix_outbox_jobs_state_available_at", "state", "available_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))  # the task name, e.g. "wijkbudget.import_register"
    args: Mapped[list[Any]] = mapped_column(JSON, default=list)
    round_id: Mapped[int | None] = mapped_column(
        ForeignKey("rounds.id", ondelete="SET NULL"), nullable=True, index=True
    )
    state: Mapped[str] = mapped_column(String(10), default=OutboxState.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)
    failure: Mapped[str | None] = mapped_column(Text, nullable=True)  # the last error, or why it gave up

    @property
    def state_enum(self) -> OutboxState:
        return OutboxState(self.state)
