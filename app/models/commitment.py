"""After publication: commitments (toezeggingen) to deliver the winners, their progress, residents' feedback,
and winners dropped with a published reason (comply or explain)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.project import Project
    from app.models.user import User


class CommitmentStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DELAYED = "delayed"
    DELIVERED = "delivered"
    DROPPED = "dropped"  # only through a WinnerDrop, never by a progress update


COMMITMENT_STATUS_VALUES = tuple(s.value for s in CommitmentStatus)
PROGRESS_STATUS_VALUES = tuple(s.value for s in CommitmentStatus if s is not CommitmentStatus.DROPPED)


class FeedbackKind(enum.StrEnum):
    CONFIRM_DELIVERED = "confirm_delivered"
    REPORT_PROBLEM = "report_problem"


FEEDBACK_KIND_VALUES = tuple(k.value for k in FeedbackKind)


def _has_text(column: str) -> str:
    return f"length(trim(coalesce({column}, ''))) > 0"


class WinnerDrop(db.Model):  # type: ignore[name-defined,misc]
    """A winner the municipality will not deliver, with its public reason and what the re-run added instead.

    The published Result is never touched; the current winners are the result's winners minus every drop's
    project plus every drop's added projects.
    """

    __tablename__ = "winner_drops"
    __table_args__ = (CheckConstraint(_has_text("reason"), name="drop_has_reason"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="RESTRICT"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Project ids added by this drop, in the re-run's order.
    added_project_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # What the re-run said: rule, tie-break, removed ids, its winners, and which of them did not fit.
    rerun: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    project: Mapped[Project] = relationship()
    organiser: Mapped[User | None] = relationship()


class Commitment(db.Model):  # type: ignore[name-defined,misc]
    """The municipality's promise to deliver one winning project: who, by when, for how much."""

    __tablename__ = "commitments"
    __table_args__ = (
        CheckConstraint(f"status IN {COMMITMENT_STATUS_VALUES!r}", name="commitment_status_known"),
        CheckConstraint("budget_cents > 0", name="commitment_budget_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), unique=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="RESTRICT"), index=True)
    # Empty until the organiser names the department; pages then say "the municipality".
    responsible_department: Mapped[str] = mapped_column(String(200), default="")
    responsible_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    planned_delivery_on: Mapped[date] = mapped_column(Date)
    budget_cents: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=CommitmentStatus.PLANNED.value)
    # Set once by the beat task when the planned date passed before delivery; cleared when the date moves.
    overdue_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Set when the project won only because another winner was dropped.
    added_by_drop_id: Mapped[int | None] = mapped_column(ForeignKey("winner_drops.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    project: Mapped[Project] = relationship()
    responsible_user: Mapped[User | None] = relationship()
    added_by_drop: Mapped[WinnerDrop | None] = relationship()
    updates: Mapped[list[ProgressUpdate]] = relationship(
        back_populates="commitment", order_by="ProgressUpdate.created_at, ProgressUpdate.id"
    )
    date_changes: Mapped[list[PlannedDateChange]] = relationship(
        back_populates="commitment", order_by="PlannedDateChange.created_at, PlannedDateChange.id"
    )
    feedback: Mapped[list[DeliveryFeedback]] = relationship(
        back_populates="commitment", order_by="DeliveryFeedback.created_at, DeliveryFeedback.id"
    )

    @property
    def is_open(self) -> bool:
        """Still to be delivered (not delivered, not dropped)."""
        return self.status not in (CommitmentStatus.DELIVERED.value, CommitmentStatus.DROPPED.value)

    @property
    def is_overdue(self) -> bool:
        return self.overdue_since is not None and self.is_open

    @property
    def spent_cents(self) -> int:
        """Money spent so far: the figure of the latest progress update (each update states the total)."""
        return self.updates[-1].spent_cents if self.updates else 0


class ProgressUpdate(db.Model):  # type: ignore[name-defined,misc]
    """A professional's public progress report on a commitment; `spent_cents` is the total spent so far."""

    __tablename__ = "progress_updates"
    __table_args__ = (
        CheckConstraint(f"status IN {PROGRESS_STATUS_VALUES!r}", name="progress_status_known"),
        CheckConstraint("spent_cents >= 0", name="spent_nonnegative"),
        CheckConstraint(_has_text("text"), name="progress_has_text"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="RESTRICT"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20))
    spent_cents: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    # A random file name under the instance folder's upload directory, or None.
    photo_name: Mapped[str | None] = mapped_column(String(80), unique=True, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    commitment: Mapped[Commitment] = relationship(back_populates="updates")
    author: Mapped[User | None] = relationship()


class PlannedDateChange(db.Model):  # type: ignore[name-defined,misc]
    """A moved delivery date with its public reason: a date is never moved silently."""

    __tablename__ = "planned_date_changes"
    __table_args__ = (CheckConstraint(_has_text("reason"), name="date_change_has_reason"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="RESTRICT"), index=True)
    old_date: Mapped[date] = mapped_column(Date)
    new_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    commitment: Mapped[Commitment] = relationship(back_populates="date_changes")


class DeliveryFeedback(db.Model):  # type: ignore[name-defined,misc]
    """A resident confirms delivery or reports a problem; once per resident and kind."""

    __tablename__ = "delivery_feedback"
    __table_args__ = (
        UniqueConstraint("commitment_id", "resident_id", "kind", name="uq_feedback_once_per_kind"),
        CheckConstraint(f"kind IN {FEEDBACK_KIND_VALUES!r}", name="feedback_kind_known"),
        CheckConstraint(f"kind <> 'report_problem' OR {_has_text('text')}", name="problem_report_has_text"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="RESTRICT"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    commitment: Mapped[Commitment] = relationship(back_populates="feedback")
    resident: Mapped[User] = relationship()
