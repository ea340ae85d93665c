"""The greedy rules, named as pabulib names them in META ``rule``.

``greedy``
    Projects in order of score (approvals; total points on cumulative/scoring ballots; the positional score
    on ordinal ballots, see :func:`app.counting.scores.project_scores`), best first.  Each project that still
    fits in the money left is selected; one that does not fit is skipped and counting goes on.
``greedy-no-skip``
    The same order, but counting stops at the first project that does not fit.
``greedy-threshold``
    ``greedy`` over the projects whose score reaches a minimum (score >= ``min_score``).
``greedy-per-cost``
    Projects in order of score per unit of cost (exact fractions; a free project with a positive score comes
    first), each selected if it fits.

Ties in the order are broken by one fixed priority order (:mod:`app.counting.tiebreak`).  Optional budget caps
per category or per neighbourhood: a project is skipped when, added to what its category (any of its
categories) or neighbourhood already received, it would exceed that group's cap.  A cap never makes
``greedy-no-skip`` stop; only the overall budget does.

Invariants: the selected projects never cost more than the budget, nor more than any cap in any capped group;
the result depends only on the multiset of ballots (not their order) and on the priority order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Final, Literal, TypeAlias

from .explain import (
    BELOW_THRESHOLD,
    CATEGORY_CAP,
    DID_NOT_FIT,
    NEIGHBORHOOD_CAP,
    SELECTED,
    TOO_FEW_VOTES,
    Detail,
    Explanation,
)
from .model import Money, Points, Project

GreedyRule: TypeAlias = Literal["greedy", "greedy-no-skip", "greedy-threshold", "greedy-per-cost"]
GREEDY_RULES: Final[tuple[GreedyRule, ...]] = (
    "greedy",
    "greedy-no-skip",
    "greedy-threshold",
    "greedy-per-cost",
)


@dataclass(frozen=True, slots=True)
class GreedyResult:
    """Selected ids in selection order, one explanation per project, and the groups of tied projects.

    ``ties`` lists every group of two or more candidate projects that the rule found equally good (same score,
    or same score per cost), in the order the tie-break put them.
    """

    selected: tuple[str, ...]
    explanations: dict[str, Explanation]
    ties: tuple[tuple[str, ...], ...]
    total_cost: Money


def _per_cost_key(score: Points, cost: Money) -> tuple[int, Fraction]:
    # Sorted descending.  A free project has an "infinite" ratio: first if it has support, last if its
    # score is negative (possible on scoring ballots only), with the zero-score ones at ratio 0.
    if cost == 0:
        if score > 0:
            return (1, Fraction(0))
        if score < 0:
            return (-1, Fraction(0))
        return (0, Fraction(0))
    return (0, Fraction(score) / cost)


def greedy_order(
    projects: Mapping[str, Project],
    scores: Mapping[str, Points],
    priority: Sequence[str],
    *,
    per_cost: bool,
) -> tuple[list[str], tuple[tuple[str, ...], ...]]:
    """Order the projects for a greedy rule: best key first, ties by position in ``priority``.

    Returns the order and the groups of projects with equal keys (in that order).
    """
    rank = {pid: index for index, pid in enumerate(priority)}
    keys: dict[str, tuple[int, Fraction] | Points]
    if per_cost:
        keys = {pid: _per_cost_key(scores[pid], projects[pid].cost) for pid in projects}
        order = sorted(projects, key=lambda pid: rank[pid])
        # Two stable sorts: first by priority, then by key descending; equal keys keep priority order.
        order.sort(key=lambda pid: keys[pid], reverse=True)
    else:
        keys = {pid: scores[pid] for pid in projects}
        order = sorted(projects, key=lambda pid: (-scores[pid], rank[pid]))
    ties: list[tuple[str, ...]] = []
    start = 0
    for index in range(1, len(order) + 1):
        if index == len(order) or keys[order[index]] != keys[order[start]]:
            if index - start > 1:
                ties.append(tuple(order[start:index]))
            start = index
    return order, tuple(ties)


def run_greedy(
    rule: GreedyRule,
    budget: Money,
    projects: Mapping[str, Project],
    scores: Mapping[str, Points],
    priority: Sequence[str],
    *,
    min_score: Points | None = None,
    category_caps: Mapping[str, Money] | None = None,
    neighborhood_caps: Mapping[str, Money] | None = None,
) -> GreedyResult:
    """Run one greedy rule and explain every project.

    ``scores`` must have an entry per project; ``priority`` is the tie-break priority order of all projects.
    ``min_score`` filters projects (score >= ``min_score`` to stay in) for any greedy rule; ``greedy-threshold``
    requires it.  Caps map a category / neighbourhood name to the most money the rule may spend in it.
    """
    if rule not in GREEDY_RULES:
        raise ValueError(f"not a greedy rule: {rule!r}")
    if rule == "greedy-threshold" and min_score is None:
        raise ValueError(
            "greedy-threshold needs a minimum score (min_score, or META min_project_score_threshold)"
        )
    category_caps = category_caps or {}
    neighborhood_caps = neighborhood_caps or {}
    order, ties = greedy_order(projects, scores, priority, per_cost=rule == "greedy-per-cost")
    if min_score is not None:
        # Ties only matter among the projects that can still be selected.
        ties = tuple(group for group in ties if all(scores[pid] >= min_score for pid in group))

    remaining: Money = budget
    spent_category: dict[str, Money] = dict.fromkeys(category_caps, 0)
    spent_neighborhood: dict[str, Money] = dict.fromkeys(neighborhood_caps, 0)
    selected: list[str] = []
    explanations: dict[str, Explanation] = {}
    stopped_at: str | None = None

    for pid in order:
        project = projects[pid]
        score = scores[pid]
        cost = project.cost
        details: dict[str, Detail] = {"score": score, "cost": cost}
        if min_score is not None and score < min_score:
            details["min_score"] = min_score
            explanations[pid] = Explanation(pid, BELOW_THRESHOLD, details)
            continue
        if stopped_at is not None:
            details["stopped_at"] = stopped_at
            details["stopped_at_score"] = scores[stopped_at]
            explanations[pid] = Explanation(pid, TOO_FEW_VOTES, details)
            continue
        if cost > remaining:
            details["budget_left"] = remaining
            explanations[pid] = Explanation(pid, DID_NOT_FIT, details)
            if rule == "greedy-no-skip":
                stopped_at = pid
            continue
        blocked = _cap_block(project, spent_category, category_caps, spent_neighborhood, neighborhood_caps)
        if blocked is not None:
            code, group, cap, spent = blocked
            details.update({"category" if code == CATEGORY_CAP else "neighborhood": group})
            details.update({"cap": cap, "spent": spent})
            explanations[pid] = Explanation(pid, code, details)
            continue
        remaining -= cost
        for category in project.categories:
            if category in spent_category:
                spent_category[category] += cost
        if project.neighborhood in spent_neighborhood:
            spent_neighborhood[project.neighborhood] += cost
        selected.append(pid)
        details.update({"rank": len(selected), "budget_left": remaining})
        explanations[pid] = Explanation(pid, SELECTED, details)

    ordered = {pid: explanations[pid] for pid in projects}
    return GreedyResult(tuple(selected), ordered, ties, budget - remaining)


def _cap_block(
    project: Project,
    spent_category: Mapping[str, Money],
    category_caps: Mapping[str, Money],
    spent_neighborhood: Mapping[str, Money],
    neighborhood_caps: Mapping[str, Money],
) -> tuple[str, str, Money, Money] | None:
    """The first cap the project would break, as (code, group, cap, already spent), or ``None``."""
    # Categories in the project's own order, so the reported cap is deterministic.
    for category in project.categories:
        if category in category_caps:
            cap = category_caps[category]
            spent = spent_category[category]
            if spent + project.cost > cap:
                return CATEGORY_CAP, category, cap, spent
    if project.neighborhood in neighborhood_caps:
        cap = neighborhood_caps[project.neighborhood]
        spent = spent_neighborhood[project.neighborhood]
        if spent + project.cost > cap:
            return NEIGHBORHOOD_CAP, project.neighborhood, cap, spent
    return None
