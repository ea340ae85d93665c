"""The poll book: marks a register entry as having voted, inside the transaction that stores the ballot.

The mark is a conditional update (`... WHERE voted_channel IS NULL`), so of two concurrent transactions for
the same entry only one can set it; the other sees zero rows changed and is refused. It records the channel,
not the time, and never which ballot.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, update

from app.extensions import db
from app.models import RegisterEntry
from app.services.voting.ballots import AlreadyVoted
from app.translated import lazy_gettext as _l


def mark_voted(entry_id: int, channel: str, *, same_channel_ok: bool = False) -> None:
    """Set the entry's `voted_channel` (no commit). AlreadyVoted when it already voted (through another channel,
    or through any channel unless `same_channel_ok`: a voter replacing their own online ballot)."""
    stmt = (
        update(RegisterEntry)
        .where(RegisterEntry.id == entry_id, RegisterEntry.voted_channel.is_(None))
        .values(voted_channel=channel)
        .execution_options(synchronize_session=False)
    )
    result: CursorResult[Any] = db.session.execute(stmt)  # type: ignore[assignment]
    if result.rowcount == 1:
        return
    current = db.session.scalar(
        db.select(RegisterEntry.voted_channel).where(RegisterEntry.id == entry_id).with_for_update()
    )
    if same_channel_ok and current == channel:
        return
    raise AlreadyVoted(_l("This resident has already voted in this round."))
