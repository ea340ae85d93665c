"""Rounds for the election record tests: a greedy and an equal-shares round in which the drawn lot decides.

Commits like tests/factories (into the test's outer transaction, or for real under `committed_db`).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.extensions import db
from app.models import Phase, Project, Round
from app.models.freeze import seeding
from tests.factories import make_project, make_round
from tests.results_data import cast_ballot, cast_votes


@dataclass
class LotRound:
    """Two projects (`first_by_id`, `lot_winner`) equal in cost and votes, only one fits; the lot drawn when
    voting opened puts `lot_winner` first. Project id order (pabutools' own tie-break) would pick the other.
    `also` is chosen anyway."""

    round: Round
    first_by_id: Project
    lot_winner: Project
    also: Project

    @property
    def winners(self) -> set[int]:
        return {self.lot_winner.id, self.also.id}


def _lot_round_projects(rule: str, title: str) -> tuple[Round, Project, Project, Project]:
    rnd = make_round(
        phase=Phase.CLOSED,
        title=title,
        budget_cents=1_000_000,
        max_project_cost_cents=1_000_000,
        counting_rule=rule,
        tie_break="default",
    )
    first = make_project(rnd, cost_cents=600_000, title="Bloembakken")
    second = make_project(rnd, cost_cents=600_000, title="Picknicktafels")
    cheap = make_project(rnd, cost_cents=300_000, title="Vogelhuisjes")
    with seeding(db.session):  # the lot drawn when this (already closed) round opened voting
        rnd.tie_break_lot = [cheap.id, second.id, first.id]
        db.session.flush()
    return rnd, first, second, cheap


def greedy_lot_round() -> LotRound:
    """Greedy: Bloembakken and Picknicktafels 10 votes each, Vogelhuisjes 5; € 10.000 fits one of the two."""
    rnd, first, second, cheap = _lot_round_projects("greedy", "Bewonersbudget Oost (greedy)")
    cast_votes(rnd, {first: 10, second: 10, cheap: 5}, empty=2)
    return LotRound(rnd, first, second, cheap)


def equal_shares_lot_round() -> LotRound:
    """Equal shares: 20 voters all approve all three; Vogelhuisjes is bought first, then the € 7.000 left
    buys one of the two € 6.000 projects, which are equal in every way but the lot."""
    rnd, first, second, cheap = _lot_round_projects("equalshares", "Bewonersbudget West (equal shares)")
    for _ in range(20):
        cast_ballot(rnd, [first, second, cheap])
    cast_ballot(rnd, [])
    db.session.commit()
    return LotRound(rnd, first, second, cheap)
