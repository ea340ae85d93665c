from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.eligibility import Eligibility, RegisterLevel

if TYPE_CHECKING:
    from app.models.project import Project
    from app.models.wijk import Buurt, Wijk


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
    POINTS = "points"  # cumulative: hand out a number of points over the projects
    RANKED = "ranked"  # ordinal: put projects in order of preference, 1 = favourite


class LeftoverPolicy(enum.StrEnum):
    """What happens to money the winners do not use."""

    RETURN_TO_MUNICIPALITY = "return"
    NEXT_ROUND = "next_round"
    NEXT_PROJECT_PARTIAL = "partial"  # the next project in line gets what is left, towards its cost
    FUND_FITTING = "fund_fitting"  # more projects that fit are funded, by votes, without the caps


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
        CheckConstraint("accounts_per_address BETWEEN 1 AND 50", name="accounts_per_address_range"),
        CheckConstraint("points_total IS NULL OR points_total >= 1", name="points_total_positive"),
        CheckConstraint(
            "points_per_project IS NULL OR points_per_project >= 1", name="points_per_project_positive"
        ),
        CheckConstraint(
            "ballot_type <> 'points' OR points_total IS NOT NULL", name="points_ballot_has_total"
        ),
        CheckConstraint("min_votes IS NULL OR min_votes >= 1", name="min_votes_positive"),
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
    # Points ballot: points each resident hands out (per part of the ballot), and at most this many per project.
    points_total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    points_per_project: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # greedy-threshold: a project needs at least this score (votes; points on a points ballot) to be funded.
    min_votes: Mapped[int | None] = mapped_column(Integer, nullable=True)
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
    # Open rounds: how many accounts may vote with one postcode, house number and date of birth (twins
    # may need 2). Frozen with the other kaders.
    accounts_per_address: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The register (and codes) are deleted this many days after publication.
    register_retention_days: Mapped[int] = mapped_column(Integer, default=90)
    register_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    voting_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    voting_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    wijk: Mapped[Wijk] = relationship(back_populates="rounds")
    projects: Mapped[list[Project]] = relationship(back_populates="round", order_by="Project.id")
    # Kaders too: caps per theme / buurt, and buurten with a budget of their own (a part of the ballot each).
    caps: Mapped[list[RoundCap]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="RoundCap.id"
    )
    buurt_budgets: Mapped[list[RoundBuurtBudget]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="RoundBuurtBudget.buurt_id"
    )

    @property
    def phase_enum(self) -> Phase:
        return Phase(self.phase)

    @property
    def kaders_frozen(self) -> bool:
        return PHASE_ORDER.index(self.phase_enum) >= PHASE_ORDER.index(Phase.VOTING)


class RoundCap(db.Model):  # type: ignore[name-defined,misc]
    """A kader: at most `cap_cents` of the budget goes to projects of one theme (category) or one buurt."""

    __tablename__ = "round_caps"
    __table_args__ = (
        CheckConstraint("cap_cents > 0", name="cap_positive"),
        CheckConstraint("(category IS NULL) <> (buurt_id IS NULL)", name="cap_for_one_group"),
        UniqueConstraint("round_id", "category"),
        UniqueConstraint("round_id", "buurt_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    category: Mapped[str | None] = mapped_column(String(80), nullable=True)
    # RESTRICT: a buurt a round's kaders name cannot disappear from under them.
    buurt_id: Mapped[int | None] = mapped_column(ForeignKey("buurten.id", ondelete="RESTRICT"), nullable=True)
    cap_cents: Mapped[int] = mapped_column(Integer)

    round: Mapped[Round] = relationship(back_populates="caps")
    buurt: Mapped[Buurt | None] = relationship()


class RoundBuurtBudget(db.Model):  # type: ignore[name-defined,misc]
    """A kader: a buurt with a budget of its own. Its residents vote for its projects in a separate part of the
    ballot, counted on its own; the round's `budget_cents` is then the budget for the whole wijk's part."""

    __tablename__ = "round_buurt_budgets"
    __table_args__ = (CheckConstraint("budget_cents > 0", name="buurt_budget_positive"),)

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    buurt_id: Mapped[int] = mapped_column(ForeignKey("buurten.id", ondelete="RESTRICT"), primary_key=True)
    budget_cents: Mapped[int] = mapped_column(Integer)

    round: Mapped[Round] = relationship(back_populates="buurt_budgets")
    buurt: Mapped[Buurt] = relationship()
