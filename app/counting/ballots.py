"""Ballot rules and the validation of one resident's ballot.

The web app calls :func:`validate` before storing a ballot.  It returns *every* problem at once (never stops
at the first), each as a :class:`BallotProblem` with a code and the numbers involved, so the form can show all
of them, translated.

Kinds of ballot (:attr:`BallotRules.kind`):

``approval``     any set of projects, between ``min_projects`` and ``max_projects`` of them;
``knapsack``     an approval set whose total cost stays within ``budget_limit``, and, with
                 ``min_spend_share``, spends at least that share of it;
``choose-1``     exactly one project;
``cumulative``   points per project: positive whole numbers, at most ``max_points_per_project`` each and
                 ``max_total_points`` in total (at least ``min_total_points``);
``ordinal``      a ranking of distinct projects, at most ``max_rank_length`` long.

Problem codes: ``unknown_project``, ``duplicate``, ``too_few``, ``too_many``, ``over_budget``,
``under_min_share``, ``points_missing``, ``points_invalid``, ``points_per_project``, ``points_total``,
``points_too_few``, ``ranking_too_long``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Final, Literal, TypeAlias

from .explain import Detail
from .model import Ballot, Money, Project

BallotKind: TypeAlias = Literal["approval", "knapsack", "choose-1", "cumulative", "ordinal"]
BALLOT_KINDS: Final[tuple[BallotKind, ...]] = ("approval", "knapsack", "choose-1", "cumulative", "ordinal")

UNKNOWN_PROJECT: Final = "unknown_project"
DUPLICATE: Final = "duplicate"
TOO_FEW: Final = "too_few"
TOO_MANY: Final = "too_many"
OVER_BUDGET: Final = "over_budget"
UNDER_MIN_SHARE: Final = "under_min_share"
POINTS_MISSING: Final = "points_missing"
POINTS_INVALID: Final = "points_invalid"
POINTS_PER_PROJECT: Final = "points_per_project"
POINTS_TOTAL: Final = "points_total"
POINTS_TOO_FEW: Final = "points_too_few"
RANKING_TOO_LONG: Final = "ranking_too_long"


@dataclass(frozen=True, slots=True)
class BallotProblem:
    """One thing wrong with a ballot: a ``code``, the project concerned (if any) and the numbers.

    ``details`` keys by code: ``too_few``/``too_many``: ``count``, ``limit``; ``over_budget``: ``total``,
    ``limit``; ``under_min_share``: ``total``, ``required``, ``share``; ``points_per_project``: ``points``,
    ``limit``; ``points_total``/``points_too_few``: ``total``, ``limit``; ``ranking_too_long``: ``length``,
    ``limit``; ``duplicate``: ``times``; ``points_missing``: ``choices`` (how many projects were named
    without points); ``points_invalid``: ``points`` (the bad value, or for a non-cumulative ballot how many
    points were given); ``unknown_project``: none (see ``project_id``).  ``part`` is the key of the ballot
    part the problem belongs to (:mod:`app.counting.ballot_parts`), ``None`` for a ballot of one part.
    """

    code: str
    project_id: str | None = None
    details: Mapping[str, Detail] = field(default_factory=dict)
    part: str | None = None


class BallotRulesError(ValueError):
    """The ballot rules themselves are inconsistent (e.g. a knapsack ballot without a budget limit)."""


@dataclass(frozen=True, slots=True)
class BallotRules:
    """What a valid ballot looks like in one voting round.

    ``min_projects``/``max_projects`` bound the number of distinct projects on any kind of ballot
    (``choose-1`` forces both to 1).  ``budget_limit`` and ``min_spend_share`` (a fraction of the limit, e.g.
    ``Fraction(1, 2)``) are for ``knapsack``.  ``max_points_per_project``, ``max_total_points`` and
    ``min_total_points`` are for ``cumulative``.  ``max_rank_length`` is for ``ordinal``.  ``None`` means no
    limit.
    """

    kind: BallotKind
    min_projects: int = 0
    max_projects: int | None = None
    budget_limit: Money | None = None
    min_spend_share: Fraction | None = None
    max_points_per_project: int | None = None
    max_total_points: int | None = None
    min_total_points: int | None = None
    max_rank_length: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in BALLOT_KINDS:
            raise BallotRulesError(f"unknown ballot kind {self.kind!r}; known: {', '.join(BALLOT_KINDS)}")
        if self.kind == "knapsack" and self.budget_limit is None:
            raise BallotRulesError("a knapsack ballot needs a budget_limit")
        if self.min_spend_share is not None and not 0 <= self.min_spend_share <= 1:
            raise BallotRulesError(f"min_spend_share must be between 0 and 1, got {self.min_spend_share}")
        if self.max_projects is not None and self.max_projects < self.min_projects:
            raise BallotRulesError(
                f"max_projects {self.max_projects} is below min_projects {self.min_projects}"
            )
        if (
            self.kind == "cumulative"
            and self.max_total_points is None
            and self.max_points_per_project is None
        ):
            raise BallotRulesError("a cumulative ballot needs max_total_points or max_points_per_project")

    @property
    def uses_points(self) -> bool:
        return self.kind == "cumulative"

    @classmethod
    def from_pabulib_meta(cls, vote_type: str, meta: Mapping[str, str]) -> BallotRules:
        """Ballot rules from a pabulib ``vote_type`` and META (``min_length``, ``max_length``,
        ``max_sum_cost``, ``min_sum_cost``, ``max_points``, ``max_sum_points``, ``min_sum_points``).

        An approval election with ``max_sum_cost`` becomes a ``knapsack`` ballot; ``min_sum_cost`` becomes
        its ``min_spend_share``.
        """

        def number(key: str) -> int | None:
            raw = meta.get(key, "").strip()
            if not raw or raw.lower() == "none":
                return None
            value = Fraction(raw.replace(",", "."))
            return int(value) if value.denominator == 1 else None

        def money(key: str) -> Money | None:
            raw = meta.get(key, "").strip()
            if not raw or raw.lower() == "none":
                return None
            value = Fraction(raw.replace(",", "."))
            return value.numerator if value.denominator == 1 else value

        min_len = number("min_length") or 0
        max_len = number("max_length")
        if vote_type == "choose-1":
            return cls("choose-1", 1, 1)
        if vote_type == "ordinal":
            return cls("ordinal", min_len, max_len, max_rank_length=max_len)
        if vote_type in ("cumulative", "scoring"):
            return cls(
                "cumulative",
                min_len,
                max_len,
                max_points_per_project=number("max_points"),
                max_total_points=number("max_sum_points"),
                min_total_points=number("min_sum_points"),
            )
        max_cost = money("max_sum_cost")
        if max_cost is not None:
            min_cost = money("min_sum_cost")
            share = Fraction(min_cost) / max_cost if min_cost and max_cost else None
            return cls("knapsack", min_len, max_len, budget_limit=max_cost, min_spend_share=share)
        return cls("approval", min_len, max_len)


BallotInput: TypeAlias = Ballot | Sequence[str] | Mapping[str, object]
"""What :func:`validate` accepts: a :class:`Ballot`, a sequence of project ids (approval, knapsack, choose-1,
ordinal: most preferred first), or a mapping of project id to points (cumulative)."""


def validate(rules: BallotRules, ballot: BallotInput, projects: Mapping[str, Project]) -> list[BallotProblem]:
    """Check one ballot against the rules and return every problem found (an empty list: the ballot is valid).

    Checks, in this order, all of them always: unknown projects; projects named twice; points present
    (cumulative) or absent (other kinds); the number of distinct projects (``too_few``/``too_many``; choose-1
    needs exactly one); knapsack cost within the limit and at least the minimum share of it; points per
    project (positive whole numbers, at most the maximum) and in total; ranking length.  A project given 0
    points counts as not chosen.  Unknown projects are left out of cost sums.  Amounts are compared exactly.
    A :class:`Ballot`'s ``weight`` is ignored: this checks what one resident filled in.
    """
    choices: list[str]
    points: list[object] | None
    if isinstance(ballot, Ballot):
        choices = list(ballot.choices)
        points = list(ballot.points) if ballot.points is not None else None
    elif isinstance(ballot, Mapping):
        choices = [str(pid) for pid in ballot]
        points = list(ballot.values())
    else:
        choices = [str(pid) for pid in ballot]
        points = None
    if points is not None:
        # 0 points is the same as not choosing the project (pabulib leaves such projects out).
        kept = [(pid, pts) for pid, pts in zip(choices, points, strict=True) if not _is_zero(pts)]
        choices = [pid for pid, _ in kept]
        points = [pts for _, pts in kept]

    problems: list[BallotProblem] = []
    seen: dict[str, int] = {}
    for pid in choices:
        seen[pid] = seen.get(pid, 0) + 1
    for pid in seen:
        if pid not in projects:
            problems.append(BallotProblem(UNKNOWN_PROJECT, pid))
    for pid, times in seen.items():
        if times > 1:
            problems.append(BallotProblem(DUPLICATE, pid, {"times": times}))

    if rules.uses_points and points is None:
        problems.append(BallotProblem(POINTS_MISSING, None, {"choices": len(choices)}))
    elif not rules.uses_points and points is not None:
        problems.append(BallotProblem(POINTS_INVALID, None, {"points": len(points)}))
        points = None

    distinct = len(seen)
    low = 1 if rules.kind == "choose-1" else rules.min_projects
    high = 1 if rules.kind == "choose-1" else rules.max_projects
    if distinct < low:
        problems.append(BallotProblem(TOO_FEW, None, {"count": distinct, "limit": low}))
    if high is not None and distinct > high:
        problems.append(BallotProblem(TOO_MANY, None, {"count": distinct, "limit": high}))

    if rules.kind == "knapsack":
        assert rules.budget_limit is not None
        total: Money = sum((projects[pid].cost for pid in seen if pid in projects), 0)
        if total > rules.budget_limit:
            problems.append(BallotProblem(OVER_BUDGET, None, {"total": total, "limit": rules.budget_limit}))
        if rules.min_spend_share is not None:
            required = rules.min_spend_share * rules.budget_limit
            if total < required:
                problems.append(
                    BallotProblem(
                        UNDER_MIN_SHARE,
                        None,
                        {"total": total, "required": required, "share": rules.min_spend_share},
                    )
                )

    if rules.uses_points and points is not None:
        total_points = 0
        for pid, pts in zip(choices, points, strict=True):
            if isinstance(pts, bool) or not isinstance(pts, int) or pts < 0:
                shown: Detail = pts if isinstance(pts, int | Fraction | str) else repr(pts)
                problems.append(BallotProblem(POINTS_INVALID, pid, {"points": shown}))
                continue
            total_points += pts
            if rules.max_points_per_project is not None and pts > rules.max_points_per_project:
                problems.append(
                    BallotProblem(
                        POINTS_PER_PROJECT, pid, {"points": pts, "limit": rules.max_points_per_project}
                    )
                )
        if rules.max_total_points is not None and total_points > rules.max_total_points:
            problems.append(
                BallotProblem(POINTS_TOTAL, None, {"total": total_points, "limit": rules.max_total_points})
            )
        if rules.min_total_points is not None and total_points < rules.min_total_points:
            problems.append(
                BallotProblem(POINTS_TOO_FEW, None, {"total": total_points, "limit": rules.min_total_points})
            )

    if rules.kind == "ordinal" and rules.max_rank_length is not None and len(choices) > rules.max_rank_length:
        problems.append(
            BallotProblem(RANKING_TOO_LONG, None, {"length": len(choices), "limit": rules.max_rank_length})
        )
    return problems


def _is_zero(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | Fraction) and value == 0
