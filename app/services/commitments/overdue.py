"""Flag commitments whose planned delivery date has passed (run by the beat task)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.local_time import local_date
from app.models import Commitment, CommitmentStatus
from app.models.base import utcnow
from app.services.audit import record_event
from app.services.commitments.promises import subject
from app.services.notifications.organisers import notify_organisers

OPEN_STATUSES = (
    CommitmentStatus.PLANNED.value,
    CommitmentStatus.IN_PROGRESS.value,
    CommitmentStatus.DELAYED.value,
)
OVERDUE_KIND = "commitment_overdue"


def flag_overdue_commitments(now: datetime | None = None) -> list[int]:
    """Flag every open commitment whose planned day (Dutch calendar) is over; returns the flagged ids.

    Rules: not delivered and not dropped; `overdue_since` is set once (to `now`), with one audit event
    "commitment.overdue" and one "commitment_overdue" notification per organiser. Idempotent: a flagged
    commitment is skipped until an organiser moves its date (which clears the flag). One transaction.
    """
    now = now or utcnow()
    due = db.session.scalars(
        select(Commitment)
        .where(
            Commitment.overdue_since.is_(None),
            Commitment.status.in_(OPEN_STATUSES),
            Commitment.planned_delivery_on < local_date(now),
        )
        .order_by(Commitment.id)
        .with_for_update(skip_locked=True)
    ).all()
    for commitment in due:
        commitment.overdue_since = now
        details = {
            "commitment_id": commitment.id,
            "round_id": commitment.round_id,
            "planned_delivery_on": commitment.planned_delivery_on.isoformat(),
            "status": commitment.status,
        }
        record_event(
            None,
            "commitment.overdue",
            round_id=commitment.round_id,
            subject=subject(commitment),
            details=details,
        )
        notify_organisers(
            OVERDUE_KIND,
            project_id=commitment.project_id,
            details=dict(
                details, title=commitment.project.title, planned_date=commitment.planned_delivery_on
            ),
        )
    db.session.commit()
    return [c.id for c in due]
