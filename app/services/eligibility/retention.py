"""Delete a round's register a set number of days after its result was published.

Rule: once `Result.published_at + Round.register_retention_days` has passed, the round's register entries,
letter codes, account matches, import rows and the seats of an open round (keyed hashes of address and
birth date) are deleted and `Round.register_deleted_at` is set; ballots and
the result stay (they hold no link to the register). Each round is its own transaction, audited as
"register.purged"; a round whose register is already deleted is skipped, so running it again changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Result, Round
from app.models.base import utcnow
from app.services.audit import record_event
from app.services.codes.batches import discard_round_letters
from app.services.eligibility.open_round_seats import delete_seats
from app.services.eligibility.registers import delete_register_rows

log = logging.getLogger(__name__)


def rounds_due_for_purge(now: datetime) -> list[int]:
    """Published rounds whose register is still there and whose retention period has passed."""
    candidates = db.session.execute(
        select(Round.id, Round.register_retention_days, Result.published_at)
        .join(Result, Result.round_id == Round.id)
        .where(Result.published_at.is_not(None), Round.register_deleted_at.is_(None))
        .order_by(Round.id)
    ).all()
    return [
        round_id
        for round_id, days, published_at in candidates
        if published_at is not None and published_at + timedelta(days=days) <= now
    ]


def purge_registers(now: datetime | None = None) -> list[int]:
    """Delete the registers that are due (see the module rule); returns the ids of the purged rounds."""
    now = now or utcnow()
    purged = []
    for round_id in rounds_due_for_purge(now):
        try:
            _purge_round(round_id, now)
        except Exception:
            db.session.rollback()
            log.exception("could not delete the register of round %s", round_id)
        else:
            purged.append(round_id)
    return purged


def _purge_round(round_id: int, now: datetime) -> None:
    rnd = db.session.scalar(
        select(Round).where(Round.id == round_id).with_for_update().execution_options(populate_existing=True)
    )
    if rnd is None or rnd.register_deleted_at is not None:  # gone, or purged by a parallel run
        db.session.rollback()
        return
    counts = delete_register_rows(rnd.id, keep_imports=False)
    counts["open_round_seats"] = delete_seats(rnd.id)
    rnd.register_deleted_at = now
    record_event(
        None,
        "register.purged",
        round_id=rnd.id,
        subject=f"round {rnd.id}",
        details={**counts, "retention_days": rnd.register_retention_days},
    )
    db.session.commit()
    discard_round_letters(round_id)  # files are not transactional: removed once the rows are gone
