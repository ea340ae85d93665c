from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.eligibility import Eligibility, RegisterLevel

if TYPE_CHECKING:
    from app.models.project import Project
    from app.models.wijk import Wijk


class Phase(enum.StrEnum):
    """A round moves forward through these, never back."""

    DRAFT = "draft"
    PROPOSALS = "proposals"
    REVIEW = "review"
    VOTING = "voting"
    CLOSED = "closed"  # voting over, count not yet published
    PUBLISHED = "published"


PHASE_ORDER = tuple(Phase)
PHASE_VALUES = tuple(p.value for p in Phase)


class BallotType(enum.StrEnum):
    APPROVAL = "approval"
    KNAPSACK = "knapsack"


class LeftoverPolicy(enum.StrEnum):
    """What happens to money the winners do not use."""

    RETURN_TO_MUNICIPALITY = "return"
    NEXT_ROUND = "next_round"
    NEXT_PROJECT_PARTIAL = "partial"


class TieBreak(enum.StrEnum):
    DEFAULT = "default"  # cheaper first, then more votes, then the lot drawn when voting opens
    LEXICOGRAPHIC = "lexicographic"


class Round(db.Model):  # type: ignore[name-defined,misc]
    """One budget round of a wijk, with its kaders (frameworks) and phase dates."""

    __tablename__ = "rounds"
    __table_args__ = (
        CheckConstraint(f"phase IN {PHASE_VALUES!r}", name="phase_known"),
        CheckConstraint("budget_cents > 0", name="budget_positive"),
        CheckConstraint("min_project_cost_cents >= 0", name="min_cost_nonnegative"),
        CheckConstraint("max_project_cost_cents >= min_project_cost_cents", name="cost_limits_ordered"),
        CheckConstraint("max_project_cost_cents <= budget_cents", name="max_cost_within_budget"),
        CheckConstraint(f"ballot_type IN {tuple(b.value for b in BallotType)!r}", name="ballot_type_known"),
        CheckConstraint("min_choices >= 0 AND max_choices >= min_choices", name="choices_ordered"),
        CheckConstraint(
            "knapsack_min_spend_pct IS NULL OR (knapsack_min_spend_pct >= 0 AND knapsack_min_spend_pct <= 100)",
            name="min_spend_pct_range",
        ),
        CheckConstraint(f"tie_break IN {tuple(t.value for t in TieBreak)!r}", name="tie_break_known"),
        CheckConstraint(
            f"leftover_policy IN {tuple(p.value for p in LeftoverPolicy)!r}", name="leftover_known"
        ),
        CheckConstraint(
            "proposals_open_at < review_open_at AND review_open_at < voting_open_at "
            "AND voting_open_at < voting_close_at AND voting_close_at <= results_at",
            name="phase_dates_ordered",
        ),
        CheckConstraint(f"eligibility IN {tuple(e.value for e in Eligibility)!r}", name="eligibility_known"),
        CheckConstraint(
            f"register_level IN {tuple(r.value for r in RegisterLevel)!r}", name="register_level_known"
        ),
        CheckConstraint("min_age >= 0 AND min_age <= 120", name="min_age_range"),
        CheckConstraint("register_retention_days >= 0", name="retention_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wijk_id: Mapped[int] = mapped_column(ForeignKey("wijken.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    phase: Mapped[str] = mapped_column(String(20), default=Phase.DRAFT.value)

    # Phase dates (timezone-aware UTC). The beat task moves the round when a date passes.
    proposals_open_at: Mapped[datetime] = mapped_column(UTCDateTime())
    review_open_at: Mapped[datetime] = mapped_column(UTCDateTime())
    voting_open_at: Mapped[datetime] = mapped_column(UTCDateTime())
    voting_close_at: Mapped[datetime] = mapped_column(UTCDateTime())
    results_at: Mapped[datetime] = mapped_column(UTCDateTime())

    # Kaders: fixed before the round starts, frozen once voting opens.
    budget_cents: Mapped[int] = mapped_column(Integer)
    min_project_cost_cents: Mapped[int] = mapped_column(Integer, default=0)
    max_project_cost_cents: Mapped[int] = mapped_column(Integer)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    ballot_type: Mapped[str] = mapped_column(String(20), default=BallotType.KNAPSACK.value)
    min_choices: Mapped[int] = mapped_column(Integer, default=1)
    max_choices: Mapped[int] = mapped_column(Integer, default=5)
    knapsack_min_spend_pct: Mapped[int | None] = mapped_column(Integer, nullable=True)
    counting_rule: Mapped[str] = mapped_column(String(40), default="greedy")
    tie_break: Mapped[str] = mapped_column(String(20), default=TieBreak.DEFAULT.value)
    # The lot for the last tie-break step, drawn when voting opens: project ids in priority order.
    tie_break_lot: Mapped[list[int] | None] = mapped_column(JSON, nullable=True)
    leftover_policy: Mapped[str] = mapped_column(
        String(20), default=LeftoverPolicy.RETURN_TO_MUNICIPALITY.value
    )
    out_of_scope: Mapped[str] = mapped_column(Text, default="")
    # Who may vote (kaders too): see app.models.eligibility.
    eligibility: Mapped[str] = mapped_column(String(20), default=Eligibility.OPEN.value)
    register_level: Mapped[str] = mapped_column(String(10), default=RegisterLevel.PERSON.value)
    min_age: Mapped[int] = mapped_column(Integer, default=12)
    # The register (and codes) are deleted this many days after publication.
    register_retention_days: Mapped[int] = mapped_column(Integer, default=90)
    register_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    voting_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    voting_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    wijk: Mapped[Wijk] = relationship(back_populates="rounds")
    projects: Mapped[list[Project]] = relationship(back_populates="round", order_by="Project.id")

    @property
    def phase_enum(self) -> Phase:
        return Phase(self.phase)

    @property
    def kaders_frozen(self) -> bool:
        return PHASE_ORDER.index(self.phase_enum) >= PHASE_ORDER.index(Phase.VOTING)
