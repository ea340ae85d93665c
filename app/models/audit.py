from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.append_only import append_only
from app.models.base import UTCDateTime, utcnow

# prev_hash of the first entry of the chain.
GENESIS_HASH = "0" * 64


class AuditEvent(db.Model):  # type: ignore[name-defined,misc]
    """Append-only, hash-chained record of every organiser, professional and publication action.

    Each entry holds the hash of the one before (`prev_hash`) and its own (`entry_hash`, SHA-256 over its
    content and `prev_hash`; see `app.services.audit`). `prev_hash` is unique, so the chain cannot fork.
    The foreign keys RESTRICT rather than SET NULL: clearing an actor or round would edit a sealed entry.
    Entries are appended only by `app.services.audit.record_event`.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        CheckConstraint("length(prev_hash) = 64", name="prev_hash_sha256"),
        CheckConstraint("length(entry_hash) = 64", name="entry_hash_sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="RESTRICT"), index=True)
    subject: Mapped[str] = mapped_column(String(120), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)


append_only(AuditEvent)


class Notification(db.Model):  # type: ignore[name-defined,misc]
    """A message for one user, e.g. the author of a proposal that was reviewed."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
