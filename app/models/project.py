from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.freeze import frozen_with_round

if TYPE_CHECKING:
    from app.models.round import Round
    from app.models.user import User
    from app.models.wijk import Buurt


class ProjectStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    WITHDRAWN = "withdrawn"
    # Fewer supports than the kaders' threshold when the proposal phase ended: skips the review.
    NOT_ENOUGH_SUPPORT = "not_enough_support"


STATUS_VALUES = tuple(s.value for s in ProjectStatus)


class Project(db.Model):  # type: ignore[name-defined,misc]
    """A resident's proposal; only feasible projects reach the ballot."""

    __tablename__ = "projects"
    __table_args__ = (
        # Lets ballot choices reference (round, project) so a choice cannot leave its round.
        UniqueConstraint("round_id", "id", name="uq_projects_round_id_id"),
        CheckConstraint(f"status IN {STATUS_VALUES!r}", name="status_known"),
        CheckConstraint("cost_cents > 0", name="cost_positive"),
        CheckConstraint("original_cost_cents > 0", name="original_cost_positive"),
        # A public reason is mandatory for an infeasible verdict and for a changed cost estimate.
        CheckConstraint(
            "status <> 'infeasible' OR length(coalesce(review_reason, '')) > 0",
            name="infeasible_has_reason",
        ),
        CheckConstraint(
            "cost_cents = original_cost_cents OR length(coalesce(cost_change_reason, '')) > 0",
            name="cost_change_has_reason",
        ),
        CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="location_complete"),
        CheckConstraint(
            "latitude IS NULL OR (latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180)",
            name="location_in_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text)
    cost_cents: Mapped[int] = mapped_column(Integer)
    original_cost_cents: Mapped[int] = mapped_column(Integer)
    cost_change_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    category: Mapped[str] = mapped_column(String(80))
    buurt_id: Mapped[int | None] = mapped_column(ForeignKey("buurten.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Where in the wijk (WGS84 degrees), optional; checked against the buurt outlines when set.
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default=ProjectStatus.SUBMITTED.value)
    review_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    round: Mapped[Round] = relationship(back_populates="projects")
    buurt: Mapped[Buurt | None] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])

    @property
    def on_ballot(self) -> bool:
        return self.status == ProjectStatus.FEASIBLE.value


# Once voting opens, a project's money, status and place on the ballot are fixed; only a public
# amendment may correct its texts.
frozen_with_round(Project, mutable=("updated_at",), amendable=("title", "description", "category"))
