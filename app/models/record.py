from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class ElectionRecordChangeError(RuntimeError):
    """Raised when anything tries to change or delete a stored election record."""


class ElectionRecord(db.Model):  # type: ignore[name-defined,misc]
    """The published files of a round, exactly as anyone can download them; written once, never changed.

    `record_sha256` is the SHA-256 of `record_json` encoded as UTF-8; the JSON embeds the SHA-256 of the
    `.pb` and the CSV, so this one hash covers all three files.
    """

    __tablename__ = "election_records"
    __table_args__ = (
        CheckConstraint("length(record_sha256) = 64", name="record_sha256_length"),
        CheckConstraint("length(pb_text) > 0 AND length(record_json) > 0", name="files_present"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="RESTRICT"), unique=True)
    pb_text: Mapped[str] = mapped_column(Text)
    # The `.pb` of each buurt part of the ballot, by file name (the whole wijk's part is `pb_text`).
    part_pb_texts: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    csv_text: Mapped[str] = mapped_column(Text)
    record_json: Mapped[str] = mapped_column(Text)
    record_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_records(session: Session, flush_context: Any, instances: Any) -> None:
    """A record is what auditors downloaded and hashed: it is never edited or deleted."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, ElectionRecord) and (obj in session.deleted or session.is_modified(obj)):
            raise ElectionRecordChangeError(f"election record of round {obj.round_id} cannot change")
