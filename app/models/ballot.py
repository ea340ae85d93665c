from __future__ import annotations

import enum
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.eligibility import CHANNEL_VALUES, BallotChannel


class BallotStatus(enum.StrEnum):
    """Whether a ballot counts. Ballots of register-matched accounts wait (PENDING) until the match is verified."""

    COUNTED = "counted"
    PENDING = "pending"
    REJECTED = "rejected"  # the voter turned out not to be eligible


class Ballot(db.Model):  # type: ignore[name-defined,misc]
    """A sealed anonymous ballot: no user id, no timestamp, nothing that links it to a person.

    Ballots are never written by the cast itself: the cast drops them into the urn (`UrnBallot`), and the seal
    (`app.services.voting.urn`) moves them here in shuffled batches with fresh random ids, so neither the id,
    nor the row's place on disk, nor its transaction id says when it was cast or follows the poll book.

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

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
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

    ballot_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(Integer, index=True)
    points: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rank: Mapped[int | None] = mapped_column(Integer, nullable=True)

    ballot: Mapped[Ballot] = relationship(back_populates="choices")


class UrnBallot(db.Model):  # type: ignore[name-defined,misc]
    """A cast ballot waiting to be sealed: written by the cast in the transaction that marks the voter.

    The urn has no order of its own: a random UUID key, no timestamp, no serial. Its rows carry the same
    transaction id as the poll-book mark, which is why they live only until the seal moves them into `ballots`
    (fresh ids, shuffled) and deletes them. `choices` holds [project_id, points, rank] per chosen project.
    UNIQUE(round_id, voter_key) keeps one waiting ballot per voter: a change before the seal replaces it.
    """

    __tablename__ = "ballot_urn"
    __table_args__ = (
        UniqueConstraint("round_id", "voter_key"),
        CheckConstraint(f"channel IN {CHANNEL_VALUES!r}", name="channel_known"),
        CheckConstraint(f"status IN {tuple(s.value for s in BallotStatus)!r}", name="status_known"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="RESTRICT"))
    voter_key: Mapped[str] = mapped_column(String(64))
    receipt_code: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10))
    choices: Mapped[list[Any]] = mapped_column(JSON, default=list)
    changes: Mapped[int] = mapped_column(
        Integer, default=0
    )  # how often the voter changed it: for the audit count
