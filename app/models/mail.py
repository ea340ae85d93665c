"""E-mail waiting to be sent, and residents' requests to hear about a round's result."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class EmailStatus(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


EMAIL_STATUS_VALUES = tuple(s.value for s in EmailStatus)


class OutgoingEmail(db.Model):  # type: ignore[name-defined,misc]
    """One message, written in the transaction that decided to send it and sent by a job after the commit.

    `status` only moves queued -> sent or queued -> failed; the job sends only while it is queued.
    """

    __tablename__ = "outgoing_emails"
    __table_args__ = (
        CheckConstraint(f"status IN {EMAIL_STATUS_VALUES!r}", name="status_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        # The retry sweep looks for old queued messages.
        Index("ix_outgoing_emails_status_created_at", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(10), default=EmailStatus.QUEUED.value)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ResultSubscription(db.Model):  # type: ignore[name-defined,misc]
    """A user asked for an e-mail when a round's result is published; `notified_at` marks that it went out."""

    __tablename__ = "result_subscriptions"
    __table_args__ = (UniqueConstraint("user_id", "round_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
