"""Project scores and supporter counts, the numbers every rule starts from."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from itertools import chain

from .model import POINT_VOTE_TYPES, Election, Points


def supporter_counts(election: Election) -> dict[str, int]:
    """Number of voters who support each project (pabulib's ``votes`` column).

    A voter supports a project when the ballot names it: approved, ranked, or given points other than zero.
    Each ballot counts with its weight.  Every project of the election has an entry (0 when unsupported), in
    the election's project order.
    """
    counts = dict.fromkeys(election.projects, 0)
    ballots = election.ballots
    if election.vote_type in POINT_VOTE_TYPES:
        for ballot in ballots:
            assert ballot.points is not None
            for pid, pts in zip(ballot.choices, ballot.points, strict=True):
                if pts != 0:
                    counts[pid] += ballot.weight
        return counts
    # Ballots of weight 1 (most of them, even after grouping) are counted by a Counter over one chained
    # iterator, which runs in C; only the grouped ones need a Python loop.  This keeps a 70,000-voter tally
    # in milliseconds.
    counts.update(Counter(chain.from_iterable(b.choices for b in ballots if b.weight == 1)))
    for ballot in ballots:
        weight = ballot.weight
        if weight != 1:
            for pid in ballot.choices:
                counts[pid] += weight
    return counts


def project_scores(election: Election, supporters: Mapping[str, int] | None = None) -> dict[str, Points]:
    """Score of each project, as the pabulib greedy rules rank them.

    * approval / choose-1: the number of approvals (= supporters);
    * cumulative / scoring: the total number of points given to the project;
    * ordinal: a ballot ranking ``L`` projects gives ``L`` to the first, ``L - 1`` to the second, ..., ``1``
      to the last (pabulib's ``score`` column for ordinal files).

    Ballots count with their weight; every project has an entry (0 when nobody voted for it).
    ``supporters`` may pass in an already computed :func:`supporter_counts` to save a pass over the ballots.
    """
    vote_type = election.vote_type
    if vote_type in POINT_VOTE_TYPES:
        scores: dict[str, Points] = dict.fromkeys(election.projects, 0)
        for ballot in election.ballots:
            assert ballot.points is not None
            weight = ballot.weight
            for pid, pts in zip(ballot.choices, ballot.points, strict=True):
                scores[pid] += pts * weight
        return scores
    if vote_type == "ordinal":
        ordinal: dict[str, Points] = dict.fromkeys(election.projects, 0)
        for ballot in election.ballots:
            weight = ballot.weight
            length = len(ballot.choices)
            for position, pid in enumerate(ballot.choices):
                ordinal[pid] += (length - position) * weight
        return ordinal
    return dict(supporter_counts(election) if supporters is None else supporters)


def supported_sets(election: Election) -> list[tuple[int, frozenset[str]]]:
    """Group voters by the set of projects they support: ``[(number of voters, supported ids), ...]``.

    This is the approval view of any ballot (cumulative and scoring ballots: projects with non-zero points;
    ordinal ballots: the ranked projects), which is how pabutools' ``Cost_Sat``/``Cardinality_Sat`` see them
    in the Method of Equal Shares.  Empty ballots are kept (as an empty set) because every voter, supporting
    or not, holds an equal share of the budget.  Groups come out in order of first appearance.
    """
    groups: dict[frozenset[str], int] = {}
    for weight, supported in supported_per_ballot(election):
        key = frozenset(supported)
        groups[key] = groups.get(key, 0) + weight
    return [(weight, key) for key, weight in groups.items()]


def supported_per_ballot(election: Election) -> Iterator[tuple[int, Sequence[str]]]:
    """``(weight, supported ids)`` per ballot, without grouping: the same view as :func:`supported_sets`.

    The reader already groups identical ballots, so counting rules that accept any grouping of voters (the
    Method of Equal Shares) can skip building sets.
    """
    if election.vote_type not in POINT_VOTE_TYPES:
        for ballot in election.ballots:
            yield ballot.weight, ballot.choices
        return
    for ballot in election.ballots:
        assert ballot.points is not None
        yield ballot.weight, [p for p, pts in zip(ballot.choices, ballot.points, strict=True) if pts != 0]
