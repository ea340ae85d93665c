from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class OpenRoundSeat(db.Model):  # type: ignore[name-defined,misc]
    """One person's place to vote in an open round, taken by the first ballot of a mailbox.

    `person_key` is a keyed hash of (round, postcode, house number, addition, birth date) and `voter_key` the
    ballot's key (a keyed hash of the normalised mailbox): nothing readable without `VOTER_KEY_SECRET`. The
    primary key allows `slot` 1..the round's `accounts_per_address` seats per person, the unique key one seat
    per mailbox, so the database, not Python, decides races. No id, no time: seats say nothing about order.
    """

    __tablename__ = "open_round_seats"
    __table_args__ = (
        UniqueConstraint("round_id", "voter_key"),
        CheckConstraint("slot >= 1", name="slot_positive"),
    )

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    person_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    voter_key: Mapped[str] = mapped_column(String(64))
