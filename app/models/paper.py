"""Paper and assisted ballots: polling locations and the entries poll workers make.

A poll worker enters a paper ballot after checking the letter code or the register entry; a second, different
poll worker confirms it before it becomes a ballot (a check constraint keeps the two apart). While an entry waits
for confirmation it remembers which register entry it is for; confirming (or rejecting) erases that link, so the
stored ballot cannot be traced back.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class LocationKind(enum.StrEnum):
    SCHOOL = "school"
    COMMUNITY_CENTRE = "community_centre"  # buurthuis
    DOOR_TO_DOOR = "door_to_door"
    OTHER = "other"


class PaperEntryStatus(enum.StrEnum):
    PENDING = "pending"  # entered, waits for a second poll worker
    CONFIRMED = "confirmed"  # became a ballot
    REJECTED = "rejected"  # the second poll worker found a mistake; nothing was counted


class PollingLocation(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "polling_locations"
    __table_args__ = (
        UniqueConstraint("round_id", "name"),
        CheckConstraint(f"kind IN {tuple(k.value for k in LocationKind)!r}", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20), default=LocationKind.COMMUNITY_CENTRE.value)
    # For residents who do not come online: where, when, and what the building offers (shown and on letters).
    address: Mapped[str] = mapped_column(String(200), default="", server_default="")
    opening_hours: Mapped[str] = mapped_column(Text, default="", server_default="")
    accessibility: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PollWorkerAssignment(db.Model):  # type: ignore[name-defined,misc]
    """A poll worker works at this polling location (and sees only the locations they are assigned to)."""

    __tablename__ = "poll_worker_assignments"

    location_id: Mapped[int] = mapped_column(
        ForeignKey("polling_locations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PaperEntry(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "paper_entries"
    __table_args__ = (
        CheckConstraint(f"status IN {tuple(s.value for s in PaperEntryStatus)!r}", name="status_known"),
        CheckConstraint("confirmed_by_id IS NULL OR confirmed_by_id <> entered_by_id", name="four_eyes"),
        CheckConstraint("NOT assisted OR consent_recorded", name="assisted_needs_consent"),
        # Only a pending entry may still point at the voter.
        CheckConstraint(
            "status = 'pending' OR (register_entry_id IS NULL AND code_hash IS NULL)", name="link_erased"
        ),
        # Only pending entries hold the link (above), so these allow one waiting entry per voter and per code:
        # two poll workers cannot enter the same resident at two tables at once.
        UniqueConstraint("register_entry_id", name="uq_paper_entries_one_pending_per_voter"),
        UniqueConstraint("code_hash", name="uq_paper_entries_one_pending_per_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("polling_locations.id", ondelete="RESTRICT"))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default=PaperEntryStatus.PENDING.value)
    assisted: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_recorded: Mapped[bool] = mapped_column(Boolean, default=False)
    project_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # Points or rank per project id (as text) on a points or ranked ballot; erased with the choices.
    choice_values: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    register_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("register_entries.id", ondelete="SET NULL"), nullable=True
    )
    code_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    rejection_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    location: Mapped[PollingLocation] = relationship()
