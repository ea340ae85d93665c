"""Build the pure counting model (`app.counting` Election) from a round's database rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from app.counting import Ballot as CountedBallot
from app.counting import Election
from app.counting import Project as CountedProject
from app.extensions import db
from app.models import Ballot, BallotChoice, BallotStatus, Buurt, Project, ProjectStatus, Round


@dataclass(frozen=True)
class LoadedElection:
    """An Election plus the database projects it was built from, keyed by the Election's string ids."""

    election: Election
    projects: dict[str, Project]

    @property
    def ballots_counted(self) -> int:
        return self.election.num_voters


def counting_id(project_id: int) -> str:
    """The id a project has inside the counting engine: its primary key as zero-padded text.

    The engine's lexicographic tie-break compares ids as text (as pabutools does); padding makes that order
    the same as the number order residents see ("project 9 before project 10").
    """
    return f"{project_id:010d}"


def load_election(rnd: Round) -> LoadedElection:
    """Load the round's FEASIBLE projects and every COUNTED ballot into an approval Election.

    Rules: only feasible projects are on the ballot; money is integer cents (budget = the round's budget);
    every counted ballot counts once, an empty ballot too (it is part of the turnout); pending and rejected
    ballots (register matches not verified, or refused) are left out. A choice for a project that is
    no longer feasible cannot be counted and is dropped. Choices come from one query (no query per ballot).
    Knapsack ballots are approval ballots whose cost limit was checked when they were cast.
    """
    rows = db.session.execute(
        select(Project, Buurt.name)
        .outerjoin(Buurt, Buurt.id == Project.buurt_id)
        .where(Project.round_id == rnd.id, Project.status == ProjectStatus.FEASIBLE.value)
        .order_by(Project.id)
    ).all()
    projects = {counting_id(p.id): p for p, _ in rows}
    counted = [
        CountedProject(
            id=counting_id(p.id),
            cost=p.cost_cents,
            name=p.title,
            categories=(p.category,) if p.category else (),
            neighborhood=buurt_name or "",
        )
        for p, buurt_name in rows
    ]
    ballots = [CountedBallot(choices=tuple(c for c in choices if c in projects)) for choices in _choices(rnd)]
    election = Election.build(rnd.budget_cents, counted, ballots, "approval")
    return LoadedElection(election=election, projects=projects)


def _choices(rnd: Round) -> list[list[str]]:
    """The chosen project ids of every counted ballot of the round (an empty list for an empty ballot)."""
    rows = db.session.execute(
        select(Ballot.id, BallotChoice.project_id)
        .outerjoin(BallotChoice, BallotChoice.ballot_id == Ballot.id)
        .where(Ballot.round_id == rnd.id, Ballot.status == BallotStatus.COUNTED.value)
        .order_by(Ballot.id, BallotChoice.project_id)
    ).all()
    by_ballot: dict[int, list[str]] = defaultdict(list)
    for ballot_id, project_id in rows:
        choices = by_ballot[ballot_id]
        if project_id is not None:
            choices.append(counting_id(project_id))
    return list(by_ballot.values())
