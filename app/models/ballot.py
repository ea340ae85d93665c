from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.eligibility import CHANNEL_VALUES, BallotChannel


class BallotStatus(enum.StrEnum):
    """Whether a ballot counts. Ballots of register-matched accounts wait (PENDING) until the match is verified."""

    COUNTED = "counted"
    PENDING = "pending"
    REJECTED = "rejected"  # the voter turned out not to be eligible


class Ballot(db.Model):  # type: ignore[name-defined,misc]
    """An anonymous ballot: no user id, no timestamp, nothing that links it to a person.

    `voter_key` is a keyed hash of (round, voter) computed by the service; the unique constraint
    on (round_id, voter_key) is what enforces one ballot per voter per round. Voters known from the register
    (letter code, matched account, paper) get a key derived from their register entry, so the same constraint
    also stops a second ballot through another channel.
    """

    __tablename__ = "ballots"
    __table_args__ = (
        UniqueConstraint("round_id", "voter_key"),
        CheckConstraint(f"channel IN {CHANNEL_VALUES!r}", name="channel_known"),
        CheckConstraint(f"status IN {tuple(s.value for s in BallotStatus)!r}", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="RESTRICT"), index=True)
    voter_key: Mapped[str] = mapped_column(String(64))
    receipt_code: Mapped[str] = mapped_column(String(32), unique=True)
    channel: Mapped[str] = mapped_column(String(20), default=BallotChannel.ONLINE_ACCOUNT.value)
    status: Mapped[str] = mapped_column(String(10), default=BallotStatus.COUNTED.value, index=True)

    choices: Mapped[list[BallotChoice]] = relationship(
        back_populates="ballot", cascade="all, delete-orphan", order_by="BallotChoice.project_id"
    )

    @property
    def project_ids(self) -> list[int]:
        return [c.project_id for c in self.choices]


class BallotChoice(db.Model):  # type: ignore[name-defined,misc]
    """One chosen project on a ballot; the composite key keeps the project inside the ballot's round.

    `points` (points ballot) and `rank` (ranked ballot, 1 = favourite, within the project's part of the
    ballot) hold the value the voter gave it; both stay empty on approval and budget ballots."""

    __tablename__ = "ballot_choices"
    __table_args__ = (
        CheckConstraint("points IS NULL OR points > 0", name="points_positive"),
        CheckConstraint("rank IS NULL OR rank >= 1", name="rank_positive"),
        ForeignKeyConstraint(
            ["round_id", "project_id"],
            ["projects.round_id", "projects.id"],
            name="fk_ballot_choices_project_in_round",
            ondelete="RESTRICT",
        ),
    )

    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(Integer, index=True)
    points: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rank: Mapped[int | None] = mapped_column(Integer, nullable=True)

    ballot: Mapped[Ballot] = relationship(back_populates="choices")
