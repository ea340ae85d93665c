from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.freeze import frozen_with_round

ALT_TEXT_MAX = 300


class ProposalPicture(db.Model):  # type: ignore[name-defined,misc]
    """A picture of a proposal, re-encoded without metadata, with its thumbnail and a required text alternative.

    The files live in PICTURE_DIR under random names; the database holds only the names.
    """

    __tablename__ = "proposal_pictures"
    __table_args__ = (
        CheckConstraint(f"length(alt_text) BETWEEN 1 AND {ALT_TEXT_MAX}", name="alt_text_length"),
        ForeignKeyConstraint(
            ["round_id", "project_id"],
            ["projects.round_id", "projects.id"],
            name="fk_proposal_pictures_round_project",
            ondelete="CASCADE",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    file_name: Mapped[str] = mapped_column(String(40), unique=True)
    thumb_name: Mapped[str] = mapped_column(String(40), unique=True)
    alt_text: Mapped[str] = mapped_column(String(ALT_TEXT_MAX))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# What residents vote on includes its pictures: from voting on they stay as they were.
frozen_with_round(ProposalPicture)
