from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, ForeignKeyConstraint, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.freeze import frozen_with_round


class Support(db.Model):  # type: ignore[name-defined,misc]
    """A resident's support (steun) for a proposal. Counted in public; who supported is never shown."""

    __tablename__ = "supports"
    __table_args__ = (
        # One support per resident per proposal, whatever the forms or a double click do.
        UniqueConstraint("project_id", "user_id", name="uq_supports_project_id_user_id"),
        # The support cannot leave its proposal's round.
        ForeignKeyConstraint(
            ["round_id", "project_id"],
            ["projects.round_id", "projects.id"],
            name="fk_supports_round_project",
            ondelete="CASCADE",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# The counts are part of the election record: from voting on nobody adds or withdraws one.
frozen_with_round(Support)
