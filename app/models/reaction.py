from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.user import User

BODY_LIMIT = 2000  # characters; the service explains the limit, the column enforces it


class Reaction(db.Model):  # type: ignore[name-defined,misc]
    """A reaction (reactie) to a proposal, in plain text; a reply has a parent (one level only)."""

    __tablename__ = "reactions"
    __table_args__ = (
        CheckConstraint(f"length(body) BETWEEN 1 AND {BODY_LIMIT}", name="body_length"),
        # An organiser who hides a reaction says why, in public.
        CheckConstraint(
            "hidden_at IS NULL OR length(coalesce(hidden_reason, '')) > 0", name="hidden_has_reason"
        ),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("reactions.id", ondelete="CASCADE"), nullable=True, index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    hidden_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    replies: Mapped[list[Reaction]] = relationship(order_by="Reaction.id")


class ReactionReport(db.Model):  # type: ignore[name-defined,misc]
    """A logged-in user tells the organisers a reaction breaks the house rules; once per user per reaction."""

    __tablename__ = "reaction_reports"
    __table_args__ = (UniqueConstraint("reaction_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reaction_id: Mapped[int] = mapped_column(ForeignKey("reactions.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    reaction: Mapped[Reaction] = relationship()


class ProposalFollow(db.Model):  # type: ignore[name-defined,misc]
    """A user who wants to hear about a proposal: new reactions and the review outcome."""

    __tablename__ = "proposal_follows"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
