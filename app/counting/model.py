"""The data model of a participatory-budgeting election, as the counting code sees it.

Everything here is a frozen dataclass of plain values: project ids are strings, money is an ``int`` (for
example euro cents) or an exact :class:`fractions.Fraction`, never a float, so that no counting decision can
depend on float rounding.  The web app builds an :class:`Election` from its database rows; the pabulib reader
builds one from a ``.pb`` file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import chain
from typing import Final, Literal, TypeAlias

Money: TypeAlias = int | Fraction
"""An exact amount of money (or cost): an ``int`` (e.g. cents) or a ``Fraction``."""

Points: TypeAlias = int | Fraction
"""An exact number of points on a cumulative or scoring ballot, or a project score."""

VoteType: TypeAlias = Literal["approval", "choose-1", "cumulative", "scoring", "ordinal"]

VOTE_TYPES: Final[tuple[VoteType, ...]] = ("approval", "choose-1", "cumulative", "scoring", "ordinal")
"""The pabulib ``vote_type`` values the counting code understands.

A knapsack ballot is an ``approval`` ballot whose total cost is limited (pabulib ``max_sum_cost``)."""

POINT_VOTE_TYPES: Final[frozenset[str]] = frozenset({"cumulative", "scoring"})


class ElectionError(ValueError):
    """An election, project or ballot is inconsistent (unknown project, negative cost, ...)."""


def exact(value: object, what: str) -> int | Fraction:
    """Return ``value`` as an exact number: an ``int``, or a ``Fraction`` that is not a whole number.

    Rejects floats (and bools) on purpose: money and points must be exact so that two runs of the count on two
    machines can never disagree.  A ``Fraction`` with denominator 1 is turned into an ``int`` so that results
    print and compare the same whichever way the number was given.
    """
    if isinstance(value, bool) or not isinstance(value, int | Fraction):
        raise ElectionError(f"{what} must be an int or a Fraction, not {type(value).__name__}: {value!r}")
    if isinstance(value, Fraction) and value.denominator == 1:
        return value.numerator
    return value


@dataclass(frozen=True, slots=True)
class Project:
    """A project on the ballot.

    ``id`` is the project's identifier as text (pabulib ``project_id``; the web app's primary key as a string).
    ``cost`` is exact and never negative.  ``categories`` and ``targets`` are the pabulib ``category`` and
    ``target`` lists; ``neighborhood`` is the buurt/district the project belongs to (pabulib ``neighborhood``),
    used for per-neighbourhood budget caps.  ``extra`` keeps any other column (e.g. pabulib ``votes``,
    ``selected``) as text; it never influences the count.
    """

    id: str
    cost: Money
    name: str = ""
    categories: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    neighborhood: str = ""
    extra: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise ElectionError(f"a project id must be a non-empty string, got {self.id!r}")
        cost = exact(self.cost, f"cost of project {self.id!r}")
        if cost < 0:
            raise ElectionError(f"cost of project {self.id!r} is negative: {cost}")
        # Frozen dataclass: normalise the cost in place once, at construction.
        object.__setattr__(self, "cost", cost)
        # Deduplicated (first occurrence kept) so that a cap never counts a project twice for one category.
        object.__setattr__(self, "categories", tuple(dict.fromkeys(self.categories)))
        object.__setattr__(self, "targets", tuple(dict.fromkeys(self.targets)))


@dataclass(frozen=True, slots=True)
class Ballot:
    """One ballot, or ``weight`` identical ballots grouped together.

    ``choices`` are project ids.  Their meaning depends on the election's vote type:

    * ``approval`` / ``choose-1`` (and knapsack): the set of approved projects; order is irrelevant.
    * ``cumulative`` / ``scoring``: the projects given points; ``points[i]`` belongs to ``choices[i]``.
    * ``ordinal``: a ranking, most preferred first.

    ``points`` is ``None`` for vote types without points.  ``weight`` (>= 1) is the number of voters who cast
    exactly this ballot, so that identical ballots can be counted once.  ``voter_id`` and ``extra`` (voter
    columns such as age) are kept for round-tripping pabulib files; they never influence the count.
    """

    choices: tuple[str, ...]
    points: tuple[Points, ...] | None = None
    weight: int = 1
    voter_id: str = ""
    extra: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if (
            type(self.choices) is tuple
            and self.points is None
            and type(self.weight) is int
            and self.weight >= 1
        ):
            return  # the common case, checked cheaply: the pabulib reader builds tens of thousands of these
        if not isinstance(self.choices, tuple):
            object.__setattr__(self, "choices", tuple(self.choices))
        if self.points is not None:
            points = tuple(exact(p, "points") for p in self.points)
            if len(points) != len(self.choices):
                raise ElectionError(
                    f"ballot {self.voter_id!r} has {len(self.choices)} projects but {len(points)} points"
                )
            object.__setattr__(self, "points", points)
        if isinstance(self.weight, bool) or not isinstance(self.weight, int) or self.weight < 1:
            raise ElectionError(f"ballot weight must be a positive int, got {self.weight!r}")


@dataclass(frozen=True)
class Election:
    """A complete election: budget, projects (in a fixed order), ballots and the vote type.

    Invariants checked at construction: every ballot names only known projects, names each at most once, and
    carries points exactly when the vote type uses points; ``projects`` is keyed by each project's own id.

    ``min_project_score`` is the pabulib ``min_project_score_threshold`` (used by ``greedy-threshold``).
    ``category_caps`` / ``neighborhood_caps`` map a category / neighbourhood to the most money the greedy rules
    may spend on projects in it (pabulib/Amsterdam ``budget_per_category`` / ``budget_per_neighborhood``).
    ``meta`` keeps the remaining pabulib META entries as text; ``notes`` carries reader remarks (e.g. a META
    count that disagrees with the file) that a result page may want to show.
    """

    budget: Money
    projects: Mapping[str, Project]
    ballots: Sequence[Ballot]
    vote_type: VoteType = "approval"
    meta: Mapping[str, str] = field(default_factory=dict)
    min_project_score: Points | None = None
    category_caps: Mapping[str, Money] = field(default_factory=dict)
    neighborhood_caps: Mapping[str, Money] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        budget = exact(self.budget, "budget")
        if budget < 0:
            raise ElectionError(f"budget is negative: {budget}")
        object.__setattr__(self, "budget", budget)
        if self.vote_type not in VOTE_TYPES:
            raise ElectionError(f"unknown vote type {self.vote_type!r}; known: {', '.join(VOTE_TYPES)}")
        for key, project in self.projects.items():
            if key != project.id:
                raise ElectionError(f"project stored under key {key!r} has id {project.id!r}")
        if self.min_project_score is not None:
            object.__setattr__(self, "min_project_score", exact(self.min_project_score, "min_project_score"))
        for caps, what in ((self.category_caps, "category"), (self.neighborhood_caps, "neighborhood")):
            for name, cap in caps.items():
                if exact(cap, f"{what} cap {name!r}") < 0:
                    raise ElectionError(f"{what} cap {name!r} is negative")
        self._check_ballots()

    def _check_ballots(self) -> None:
        # One pass over all choices with C-level set operations: this runs on every Election, including the
        # 70,000-ballot ones, so it must stay cheap.
        used = set(chain.from_iterable(b.choices for b in self.ballots))
        unknown = used.difference(self.projects)
        if unknown:
            raise ElectionError(f"ballots name unknown projects: {', '.join(sorted(unknown)[:10])}")
        wants_points = self.vote_type in POINT_VOTE_TYPES
        for ballot in self.ballots:
            if len(set(ballot.choices)) != len(ballot.choices):
                raise ElectionError(f"ballot {ballot.voter_id!r} names a project twice: {ballot.choices}")
            if (ballot.points is not None) != wants_points:
                raise ElectionError(
                    f"ballot {ballot.voter_id!r}: a {self.vote_type} ballot "
                    + ("needs points" if wants_points else "cannot carry points")
                )

    @classmethod
    def build(
        cls,
        budget: Money,
        projects: Iterable[Project],
        ballots: Iterable[Ballot],
        vote_type: VoteType = "approval",
        *,
        meta: Mapping[str, str] | None = None,
        min_project_score: Points | None = None,
        category_caps: Mapping[str, Money] | None = None,
        neighborhood_caps: Mapping[str, Money] | None = None,
    ) -> Election:
        """Build an election from an iterable of projects (kept in the given order) and ballots.

        Convenience for the web app: ``Election.build(budget_cents, projects, ballots, "approval")``.
        Raises :class:`ElectionError` on a duplicate project id.
        """
        by_id: dict[str, Project] = {}
        for project in projects:
            if project.id in by_id:
                raise ElectionError(f"duplicate project id {project.id!r}")
            by_id[project.id] = project
        return cls(
            budget,
            by_id,
            list(ballots),
            vote_type,
            meta=dict(meta or {}),
            min_project_score=min_project_score,
            category_caps=dict(category_caps or {}),
            neighborhood_caps=dict(neighborhood_caps or {}),
        )

    @property
    def num_voters(self) -> int:
        """The number of voters: ballots counted with their weight (empty ballots included)."""
        return sum(b.weight for b in self.ballots)

    @property
    def project_ids(self) -> tuple[str, ...]:
        return tuple(self.projects)
