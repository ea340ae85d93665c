"""The parts of a round's ballot: one per budget, each with its projects and its ballot rules.

Rules:
- Every round has the whole wijk's part, with the round's `budget_cents`.
- Every buurt with a budget of its own (`RoundBuurtBudget`) adds a part with that budget; its projects are the
  feasible projects of that buurt. All other feasible projects (no buurt, or a buurt without a budget of its
  own) are in the wijk's part. So every project on the ballot is in exactly one part.
- A part's rules are the round's ballot rules (`ballot_rules`), with the part's own budget as the limit of a
  budget (knapsack) ballot. Points are handed out per part.
- A resident votes in the wijk's part and in their own buurt's part, if it has one: the register's buurt, or
  in a round without a register the buurt they say they live in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Final

from sqlalchemy import select

from app.counting.ballots import BallotKind, BallotRules
from app.extensions import db
from app.models import BallotType, Project, ProjectStatus, RegisterEntry, Round

WIJK_PART: Final = "wijk"
# The kind the counting core validates and counts, per ballot type of the kaders.
BALLOT_KINDS: Final[dict[str, BallotKind]] = {
    BallotType.APPROVAL.value: "approval",
    BallotType.KNAPSACK.value: "knapsack",
    BallotType.POINTS.value: "cumulative",
    BallotType.RANKED.value: "ordinal",
}
# The pabulib vote type of each ballot type (a budget ballot is an approval ballot with a cost limit).
VOTE_TYPES: Final[dict[str, str]] = {
    BallotType.APPROVAL.value: "approval",
    BallotType.KNAPSACK.value: "approval",
    BallotType.POINTS.value: "cumulative",
    BallotType.RANKED.value: "ordinal",
}


def buurt_part(buurt_id: int) -> str:
    return f"buurt-{buurt_id}"


@dataclass(frozen=True)
class RoundPart:
    """One part of the ballot: its key ("wijk" or "buurt-<id>"), name, budget and projects (ballot order)."""

    key: str
    name: str
    budget_cents: int
    buurt_id: int | None
    projects: list[Project] = field(default_factory=list)

    @property
    def is_wijk(self) -> bool:
        return self.buurt_id is None


def round_parts(rnd: Round) -> list[RoundPart]:
    """The round's parts: the wijk's first, then each buurt with its own budget (by name)."""
    budgets = {b.buurt_id: b.budget_cents for b in rnd.buurt_budgets}
    buurten = {b.buurt_id: b.buurt.name for b in rnd.buurt_budgets}
    parts = {WIJK_PART: RoundPart(WIJK_PART, rnd.wijk.name, rnd.budget_cents, None)}
    for buurt_id in sorted(budgets, key=lambda b: (buurten.get(b, ""), b)):
        key = buurt_part(buurt_id)
        parts[key] = RoundPart(key, buurten.get(buurt_id, ""), budgets[buurt_id], buurt_id)
    for project in ballot_projects(rnd):
        parts[part_of(project.buurt_id, budgets)].projects.append(project)
    return list(parts.values())


def ballot_projects(rnd: Round) -> list[Project]:
    """The projects on the ballot: the round's feasible projects, grouped by theme, then by title."""
    return list(
        db.session.scalars(
            select(Project)
            .where(Project.round_id == rnd.id, Project.status == ProjectStatus.FEASIBLE.value)
            .order_by(Project.category, Project.title, Project.id)
        )
    )


def part_of(buurt_id: int | None, budgets: dict[int, int]) -> str:
    """The part a project of buurt `buurt_id` is in."""
    return buurt_part(buurt_id) if buurt_id is not None and buurt_id in budgets else WIJK_PART


def has_buurt_parts(rnd: Round) -> bool:
    return bool(rnd.buurt_budgets)


def ballot_rules(rnd: Round, budget_cents: int | None = None) -> BallotRules:
    """The round's kaders as the counting core's ballot rules for a part with `budget_cents` (default: the
    round's budget). Every ballot (part) names at least one project."""
    kind = BALLOT_KINDS.get(rnd.ballot_type, "knapsack")
    if kind == "approval":
        return BallotRules("approval", max(rnd.min_choices, 1), rnd.max_choices)
    if kind == "ordinal":
        return BallotRules(
            "ordinal", max(rnd.min_choices, 1), rnd.max_choices, max_rank_length=rnd.max_choices
        )
    if kind == "cumulative":
        return BallotRules(
            "cumulative",
            1,
            None,
            max_points_per_project=rnd.points_per_project,
            max_total_points=rnd.points_total,
            min_total_points=1,
        )
    pct = rnd.knapsack_min_spend_pct
    share = Fraction(pct, 100) if pct else None
    limit = rnd.budget_cents if budget_cents is None else budget_cents
    return BallotRules("knapsack", 1, None, budget_limit=limit, min_spend_share=share)


def register_buurt(register_entry_id: int | None) -> int | None:
    """The buurt the register puts a voter in (None when unknown)."""
    if register_entry_id is None:
        return None
    return db.session.scalar(select(RegisterEntry.buurt_id).where(RegisterEntry.id == register_entry_id))


def voter_parts(parts: list[RoundPart], buurt_id: int | None) -> set[str]:
    """The parts a resident of `buurt_id` votes in: the wijk's, and their buurt's if it has one."""
    allowed = {WIJK_PART}
    if buurt_id is not None and any(p.buurt_id == buurt_id for p in parts):
        allowed.add(buurt_part(buurt_id))
    return allowed
