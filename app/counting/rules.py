"""The rule registry and :func:`count`, the one entry point that counts an election.

Rule names are pabulib's META ``rule`` names:

============================  ==========================================================================
``greedy``                    by score, skip what does not fit
``greedy-no-skip``            by score, stop at the first project that does not fit
``greedy-threshold``          ``greedy`` over projects whose score reaches a minimum
``greedy-per-cost``           by score per unit of cost
``equalshares``               Method of Equal Shares, cost utilities, no completion
``equalshares/add1``          MES, cost utilities, voters' budgets raised one unit at a time ("add1")
``equalshares/add1-greedy``   ``equalshares/add1`` followed by a greedy completion (by supporters)
``equalshares-approval``      MES with approval (cardinality) utilities, no completion
============================  ==========================================================================

The equal-shares rules see every ballot as the set of projects it supports (approved, ranked, or given
non-zero points) and split the budget equally over all voters, empty ballots included, like pabutools does
with ``Cost_Sat``/``Cardinality_Sat``.  The algorithm itself lives in :mod:`app.counting.equal_shares`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final, Literal, TypeAlias, cast

from .explain import (
    MES_NO_SUPPORT,
    NOT_SELECTED,
    SELECTED,
    Detail,
    Explanation,
    coerce_details,
    json_number,
)
from .greedy import GREEDY_RULES, GreedyRule, run_greedy
from .leftover import LeftoverStep, PartialFunding, apply_leftover, check_policy
from .model import Election, Money, Points
from .scores import project_scores, supported_per_ballot, supporter_counts
from .tiebreak import TieBreakMode, TieBreakRecord, priority_order

Rule: TypeAlias = Literal[
    "greedy",
    "greedy-no-skip",
    "greedy-threshold",
    "greedy-per-cost",
    "equalshares",
    "equalshares/add1",
    "equalshares/add1-greedy",
    "equalshares-approval",
]

RULES: Final[tuple[Rule, ...]] = (
    "greedy",
    "greedy-no-skip",
    "greedy-threshold",
    "greedy-per-cost",
    "equalshares",
    "equalshares/add1",
    "equalshares/add1-greedy",
    "equalshares-approval",
)

MES_RULES: Final[tuple[Rule, ...]] = (
    "equalshares",
    "equalshares/add1",
    "equalshares/add1-greedy",
    "equalshares-approval",
)

RULE_DESCRIPTIONS: Final[dict[str, str]] = {
    "greedy": "by score, skipping projects that do not fit",
    "greedy-no-skip": "by score, stopping at the first project that does not fit",
    "greedy-threshold": "by score, only projects whose score reaches the minimum",
    "greedy-per-cost": "by score per unit of cost, skipping projects that do not fit",
    "equalshares": "Method of Equal Shares (cost utilities)",
    "equalshares/add1": "Method of Equal Shares, budgets raised by one until the budget is used (add1)",
    "equalshares/add1-greedy": "Method of Equal Shares add1, then a greedy completion",
    "equalshares-approval": "Method of Equal Shares (approval utilities)",
}


class UnknownRuleError(ValueError):
    """The rule name is not one of :data:`RULES`; the message lists them."""


def is_rule(name: str) -> bool:
    """Whether ``name`` is one of :data:`RULES`."""
    return name in RULES


def unknown_rule_message(name: str | None) -> str:
    what = "no rule given" if not name else f"unknown rule {name!r}"
    return f"{what}; choose one of: {', '.join(RULES)}"


@dataclass(frozen=True)
class Outcome:
    """The result of a count, with everything needed to audit and explain it.

    ``selected``: ids in selection order.  ``scores``: the number each project was ranked on (greedy rules:
    the greedy score; equal-shares rules: its supporters).  ``supporters``: voters supporting each project.
    ``explanations``: one per project, in the election's project order.  ``ties``: groups of projects the
    rule found equally good, in the order the tie-break put them (greedy rules).  ``notes``: remarks such as
    caps that a rule does not apply.
    """

    rule: Rule
    tie_break: TieBreakRecord
    selected: tuple[str, ...]
    scores: Mapping[str, Points]
    supporters: Mapping[str, int]
    total_cost: Money
    budget: Money
    num_voters: int
    explanations: Mapping[str, Explanation]
    min_score: Points | None = None
    category_caps: Mapping[str, Money] = field(default_factory=dict)
    neighborhood_caps: Mapping[str, Money] = field(default_factory=dict)
    ties: tuple[tuple[str, ...], ...] = ()
    notes: tuple[str, ...] = ()
    leftover: LeftoverStep | None = None

    @property
    def partial(self) -> PartialFunding | None:
        return self.leftover.partial if self.leftover is not None else None

    @property
    def allocated(self) -> Money:
        """Money given to projects: the fully funded ones plus the partial amount."""
        partial = self.partial
        return self.total_cost + (partial.amount if partial is not None else 0)

    @property
    def budget_left(self) -> Money:
        return self.budget - self.allocated

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (project ids as strings; non-integral amounts as floats, for display only)."""
        return {
            "rule": self.rule,
            "tie_break": self.tie_break.mode,
            "tie_break_detail": self.tie_break.to_dict(),
            "selected": list(self.selected),
            "total_cost": json_number(self.total_cost),
            "budget": json_number(self.budget),
            "budget_left": json_number(self.budget_left),
            "num_voters": self.num_voters,
            "min_score": json_number(self.min_score),
            "category_caps": {k: json_number(v) for k, v in self.category_caps.items()},
            "neighborhood_caps": {k: json_number(v) for k, v in self.neighborhood_caps.items()},
            "scores": {k: json_number(v) for k, v in self.scores.items()},
            "supporters": dict(self.supporters),
            "explanations": [e.to_dict() for e in self.explanations.values()],
            "ties": [list(group) for group in self.ties],
            "notes": list(self.notes),
            "allocated": json_number(self.allocated),
            "leftover": self.leftover.to_dict() if self.leftover is not None else None,
        }


def count(
    election: Election,
    rule: str,
    *,
    tie_break: TieBreakMode | str = "default",
    lot_order: Sequence[str] | None = None,
    min_score: Points | None = None,
    category_caps: Mapping[str, Money] | None = None,
    neighborhood_caps: Mapping[str, Money] | None = None,
    leftover: str | None = None,
) -> Outcome:
    """Count ``election`` with ``rule`` (one of :data:`RULES`) and explain every project.

    ``tie_break``/``lot_order``: see :mod:`app.counting.tiebreak` (``lexicographic`` reproduces pabutools).
    ``min_score``: minimum score for ``greedy-threshold`` (default: the election's ``min_project_score``);
    also accepted by the other greedy rules, where it filters the same way.  ``category_caps`` /
    ``neighborhood_caps``: per-group spending caps for the greedy rules; ``None`` means the election's own
    caps, an empty mapping means no caps.  The equal-shares rules do not apply caps (a note says so when the
    election has some) and reject ``min_score``.  ``leftover``: a policy of :mod:`app.counting.leftover`
    applied after the rule (``None``: no leftover step).

    Invariants: ``allocated <= budget`` (fully funded projects plus a partial amount); the outcome depends only on the election's multiset of ballots and
    the tie-break; the same input always gives the same outcome.  Raises :class:`UnknownRuleError`,
    :class:`~app.counting.tiebreak.TieBreakError` or ``ValueError`` (missing threshold, ``min_score`` with MES,
    unknown leftover policy).
    """
    if rule not in RULES:
        raise UnknownRuleError(unknown_rule_message(rule))
    if leftover is not None:
        check_policy(leftover)
    outcome = _count_by_rule(
        election,
        cast(Rule, rule),
        tie_break=tie_break,
        lot_order=lot_order,
        min_score=min_score,
        category_caps=category_caps,
        neighborhood_caps=neighborhood_caps,
    )
    return outcome if leftover is None else with_leftover_step(election, outcome, leftover)


def with_leftover_step(election: Election, outcome: Outcome, policy: str) -> Outcome:
    """``outcome`` after the leftover step ``policy`` (see :mod:`app.counting.leftover`)."""
    result = apply_leftover(
        policy,
        election.budget,
        election.projects,
        project_scores(election, outcome.supporters),
        outcome.tie_break.order,
        outcome.selected,
        outcome.explanations,
        min_score=outcome.min_score,
    )
    total: Money = sum((election.projects[pid].cost for pid in result.selected), 0)
    return replace(
        outcome,
        selected=result.selected,
        explanations=result.explanations,
        total_cost=total,
        leftover=result.step,
    )


def _count_by_rule(
    election: Election,
    checked_rule: Rule,
    *,
    tie_break: TieBreakMode | str,
    lot_order: Sequence[str] | None,
    min_score: Points | None,
    category_caps: Mapping[str, Money] | None,
    neighborhood_caps: Mapping[str, Money] | None,
) -> Outcome:
    supporters = supporter_counts(election)
    costs = {pid: project.cost for pid, project in election.projects.items()}
    record = priority_order(tie_break, costs, supporters, lot_order)
    cat_caps = dict(election.category_caps if category_caps is None else category_caps)
    nb_caps = dict(election.neighborhood_caps if neighborhood_caps is None else neighborhood_caps)

    if checked_rule in GREEDY_RULES:
        greedy_rule = cast(GreedyRule, checked_rule)
        threshold = min_score
        if threshold is None and greedy_rule == "greedy-threshold":
            threshold = election.min_project_score
        scores = project_scores(election, supporters)
        result = run_greedy(
            greedy_rule,
            election.budget,
            election.projects,
            scores,
            record.order,
            min_score=threshold,
            category_caps=cat_caps,
            neighborhood_caps=nb_caps,
        )
        return Outcome(
            rule=checked_rule,
            tie_break=record,
            selected=result.selected,
            scores=scores,
            supporters=supporters,
            total_cost=result.total_cost,
            budget=election.budget,
            num_voters=election.num_voters,
            explanations=result.explanations,
            min_score=threshold,
            category_caps=cat_caps,
            neighborhood_caps=nb_caps,
            ties=result.ties,
        )

    if min_score is not None:
        raise ValueError(f"min_score is not used by {checked_rule}; it applies to the greedy rules only")
    notes: list[str] = []
    if cat_caps or nb_caps:
        notes.append(f"budget caps per category/neighbourhood are not applied by {checked_rule}")
    selected, explanations = _run_equal_shares(election, checked_rule, record.order, supporters)
    total: Money = sum((election.projects[pid].cost for pid in selected), 0)
    if total > election.budget:
        # Never publish an infeasible result, whatever the equal-shares module returned.
        raise RuntimeError(
            f"{checked_rule} selected projects costing {total}, over the budget {election.budget}"
        )
    return Outcome(
        rule=checked_rule,
        tie_break=record,
        selected=selected,
        scores=dict(supporters),
        supporters=supporters,
        total_cost=total,
        budget=election.budget,
        num_voters=election.num_voters,
        explanations=explanations,
        notes=tuple(notes),
    )


# --- Method of Equal Shares wiring ------------------------------------------------------------------------
# The algorithm lives in app/counting/equal_shares.py (written separately, against pabutools).  Here the
# election is mapped to its index-based interface and its explanations back to project ids.

_MES_SETTINGS: Final[
    dict[str, tuple[Literal["cost", "cardinality"], Literal["none", "add1", "add1-greedy"]]]
] = {
    "equalshares": ("cost", "none"),
    "equalshares/add1": ("cost", "add1"),
    "equalshares/add1-greedy": ("cost", "add1-greedy"),
    "equalshares-approval": ("cardinality", "none"),
}


def _run_equal_shares(
    election: Election,
    rule: Rule,
    priority: Sequence[str],
    supporters: Mapping[str, int],
) -> tuple[tuple[str, ...], dict[str, Explanation]]:
    ids = list(election.projects)
    index = {pid: i for i, pid in enumerate(ids)}
    raw_selected: Sequence[int] = ()
    raw_explanations: Mapping[int, Mapping[str, object]] = {}
    if election.num_voters > 0:
        # Imported here so that the greedy rules (and the ballot checks the web app runs on every vote) never
        # depend on the equal-shares module loading.
        from .equal_shares import equal_shares

        utility, completion = _MES_SETTINGS[rule]
        # The ballots as they are, naming projects by id (project_keys): MES makes each a set of indices
        # in C, and accepts any grouping of voters (the reader has grouped identical ballots already).
        voters = list(supported_per_ballot(election))
        result = equal_shares(
            [election.projects[pid].cost for pid in ids],
            election.budget,
            voters,
            utility=utility,
            order=[index[pid] for pid in priority],
            completion=completion,
            greedy_scores=[supporters[pid] for pid in ids] if completion == "add1-greedy" else None,
            project_keys=ids,
        )
        raw_selected = result.selected
        raw_explanations = result.explanations
    selected = tuple(ids[i] for i in raw_selected)
    if len(set(selected)) != len(selected):
        raise RuntimeError(f"{rule} selected a project twice: {selected}")
    rank = {pid: position + 1 for position, pid in enumerate(selected)}
    explanations: dict[str, Explanation] = {}
    left: Money = election.budget
    left_after: dict[str, Money] = {}
    for pid in selected:
        left -= election.projects[pid].cost
        left_after[pid] = left
    for i, pid in enumerate(ids):
        raw = raw_explanations.get(i)
        details: dict[str, Detail] = coerce_details(raw) if raw is not None else {}
        code = details.pop("code", None)
        if pid in rank:
            # The module's own selection codes ("mes_selected", "greedy_fill") become the one "selected"
            # code; its "phase" detail ("equal_shares" / "completion") keeps the difference.
            if code == "greedy_fill":
                details.setdefault("phase", "completion")
            code = SELECTED
            details.setdefault("rank", rank[pid])
            details.setdefault("score", supporters[pid])
            details.setdefault("budget_left", left_after[pid])
        elif not isinstance(code, str) or code == SELECTED:
            code = MES_NO_SUPPORT if supporters[pid] == 0 else NOT_SELECTED
        details.setdefault("cost", election.projects[pid].cost)
        details.setdefault("supporters", supporters[pid])
        explanations[pid] = Explanation(pid, code, details)
    return selected, explanations
