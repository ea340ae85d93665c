from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, ForeignKeyConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.append_only import append_only
from app.models.base import UTCDateTime, utcnow

# What a public amendment may correct: texts only, never what decides how a ballot counts.
ROUND_AMENDABLE = ("title", "out_of_scope")
PROJECT_AMENDABLE = ("title", "description", "category")


class Amendment(db.Model):  # type: ignore[name-defined,misc]
    """A public correction of a frozen round's text, with the organiser's reason; never changed or removed."""

    __tablename__ = "amendments"
    __table_args__ = (
        CheckConstraint("length(trim(reason)) > 0", name="reason_given"),
        CheckConstraint(
            f"(project_id IS NULL AND field IN {ROUND_AMENDABLE!r}) "
            f"OR (project_id IS NOT NULL AND field IN {PROJECT_AMENDABLE!r})",
            name="field_amendable",
        ),
        # The amended project belongs to the amended round.
        ForeignKeyConstraint(
            ["round_id", "project_id"],
            ["projects.round_id", "projects.id"],
            name="fk_amendments_project_in_round",
            ondelete="RESTRICT",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="RESTRICT"), index=True)
    project_id: Mapped[int | None] = mapped_column(index=True, nullable=True)
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[Any] = mapped_column(JSON)
    new_value: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


append_only(Amendment)
