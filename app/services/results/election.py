"""Build the pure counting model (`app.counting` Election) from a round's database rows: one per part."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import cast

from sqlalchemy import select

from app.counting import Ballot as CountedBallot
from app.counting import Election
from app.counting import Project as CountedProject
from app.counting.model import VoteType
from app.extensions import db
from app.models import Ballot, BallotChoice, BallotStatus, Buurt, Project, Round
from app.services.rounds.parts import VOTE_TYPES, RoundPart, round_parts


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


@dataclass(frozen=True)
class LoadedPart:
    """One part of the round's ballot (see `app.services.rounds.parts`) and its election, ready to count."""

    key: str
    name: str
    buurt_id: int | None
    loaded: LoadedElection

    @property
    def is_wijk(self) -> bool:
        return self.buurt_id is None


@dataclass(frozen=True)
class LoadedRound:
    """Every part of a round, and how many counted ballots the round had in all."""

    parts: list[LoadedPart]
    ballots_counted: int

    @property
    def several(self) -> bool:
        return len(self.parts) > 1


def load_election(rnd: Round) -> LoadedElection:
    """The election of a round with one part (the whole wijk's): see `load_round`."""
    return load_round(rnd).parts[0].loaded


def load_round(rnd: Round) -> LoadedRound:
    """Load the round's FEASIBLE projects and every COUNTED ballot into one Election per part of the ballot.

    Rules: only feasible projects are on the ballot; a project is in one part (its buurt's, when that buurt
    has a budget of its own, else the wijk's); money is integer cents, each part with its own budget. The
    vote type follows the ballot type: approval (and budget ballots, whose cost limit was checked when they
    were cast), cumulative with the points given, ordinal in the order of the ranks given. The kaders' caps
    (per theme, and per buurt by the buurt's name) and minimum score go with the election. Pending and
    rejected ballots (register matches not verified, or refused) are left out; a choice for a project no
    longer on the ballot is dropped. With one part every counted ballot is in it, an empty one too (it is
    part of the turnout); with several, a part's ballots are those that chose at least one of its projects.
    Choices come from one query (no query per ballot).
    """
    parts = round_parts(rnd)
    buurt_names = _buurt_names(rnd)
    vote_type = cast(VoteType, VOTE_TYPES.get(rnd.ballot_type, "approval"))
    marks = _marks(rnd)
    loaded = [
        _load_part(rnd, part, buurt_names, vote_type, marks, keep_empty=len(parts) == 1) for part in parts
    ]
    return LoadedRound(loaded, ballots_counted=len(marks))


def _load_part(
    rnd: Round,
    part: RoundPart,
    buurt_names: dict[int, str],
    vote_type: VoteType,
    marks: list[list[tuple[int, int | None, int | None]]],
    *,
    keep_empty: bool,
) -> LoadedPart:
    projects = {counting_id(p.id): p for p in sorted(part.projects, key=lambda p: p.id)}
    counted = [
        CountedProject(
            id=pid,
            cost=p.cost_cents,
            name=p.title,
            categories=(p.category,) if p.category else (),
            neighborhood=buurt_names.get(p.buurt_id, "") if p.buurt_id is not None else "",
        )
        for pid, p in projects.items()
    ]
    ballots = []
    for ballot in marks:
        mine = [
            (counting_id(pid), points, rank) for pid, points, rank in ballot if counting_id(pid) in projects
        ]
        if mine or keep_empty:
            ballots.append(_counted_ballot(vote_type, mine))
    election = Election.build(
        part.budget_cents,
        counted,
        ballots,
        vote_type,
        min_project_score=rnd.min_votes if rnd.counting_rule == "greedy-threshold" else None,
        category_caps={c.category: c.cap_cents for c in rnd.caps if c.category is not None},
        neighborhood_caps={
            buurt_names.get(c.buurt_id, ""): c.cap_cents for c in rnd.caps if c.buurt_id is not None
        },
    )
    return LoadedPart(
        part.key, part.name, part.buurt_id, LoadedElection(election=election, projects=projects)
    )


def _counted_ballot(vote_type: VoteType, choices: list[tuple[str, int | None, int | None]]) -> CountedBallot:
    if vote_type == "cumulative":
        # A choice without points cannot be counted on a points ballot (the ballot path always stores them).
        given = [(pid, points) for pid, points, _ in choices if points]
        return CountedBallot(tuple(pid for pid, _ in given), tuple(points for _, points in given))
    if vote_type == "ordinal":
        ranked = sorted(choices, key=lambda c: (c[2] if c[2] is not None else 10**9, c[0]))
        return CountedBallot(tuple(pid for pid, _, _ in ranked))
    return CountedBallot(tuple(pid for pid, _, _ in choices))


def _buurt_names(rnd: Round) -> dict[int, str]:
    return dict(db.session.execute(select(Buurt.id, Buurt.name).where(Buurt.wijk_id == rnd.wijk_id)).all())


def _marks(rnd: Round) -> list[list[tuple[int, int | None, int | None]]]:
    """(project id, points, rank) of every choice of every counted ballot (an empty list for an empty one)."""
    rows = db.session.execute(
        select(Ballot.id, BallotChoice.project_id, BallotChoice.points, BallotChoice.rank)
        .outerjoin(BallotChoice, BallotChoice.ballot_id == Ballot.id)
        .where(Ballot.round_id == rnd.id, Ballot.status == BallotStatus.COUNTED.value)
        .order_by(Ballot.id, BallotChoice.project_id)
    ).all()
    by_ballot: dict[uuid.UUID, list[tuple[int, int | None, int | None]]] = defaultdict(list)
    for ballot_id, project_id, points, rank in rows:
        choices = by_ballot[ballot_id]
        if project_id is not None:
            choices.append((project_id, points, rank))
    return list(by_ballot.values())
