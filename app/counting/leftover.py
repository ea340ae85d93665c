"""What happens to the money a counting rule leaves unspent: the leftover step after the count.

Policies (wijkbudget's kaders names; pabulib files name theirs in META ``leftover_budget``):

``return``        nothing more is funded; the money goes back to the municipality.
``next_round``    nothing more is funded; the money is carried over to the next round.
``fund_fitting``  after the count, more projects are funded while they fit in what is left, by score (best
                  first), without the caps per category or neighbourhood: the caps bind the rule, not the
                  leftover (Amsterdam: "Fund additional projects that fit within leftover budget ordered by
                  score").
``partial``       the next project in line, the one with the best score that was not funded, gets what is
                  left as a contribution to its cost (Amsterdam: "Partially fund one additional project with
                  highest score").  If what is left covers its whole cost it is simply funded.

"In line" means: projects the rule did not fund, with a score above zero (nobody's money goes to a project
nobody voted for) that reaches the rule's minimum score, if any, ordered by score (the greedy score: votes,
points, or the ranking score), ties broken by the count's own tie-break order.

Invariants: the step only adds; what the rule funded stays funded; fully funded projects plus the partial
amount never exceed the budget; the step is deterministic given the scores and the tie-break order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal, TypeAlias

from .explain import PARTIALLY_FUNDED, SELECTED, Detail, Explanation, json_number
from .model import Money, Points, Project

LeftoverPolicy: TypeAlias = Literal["return", "next_round", "fund_fitting", "partial"]
LEFTOVER_POLICIES: Final[tuple[LeftoverPolicy, ...]] = ("return", "next_round", "fund_fitting", "partial")

LEFTOVER_DESCRIPTIONS: Final[dict[str, str]] = {
    "return": "the money left goes back to the municipality",
    "next_round": "the money left goes to the next round",
    "fund_fitting": "more projects that fit in the money left are funded, by score, without the caps",
    "partial": "the best project not funded gets the money left as part of its cost",
}

# The META leftover_budget texts pabulib files use, and the ones wijkbudget's election records write for
# the two policies that fund nothing more; compared after lowering the case and collapsing spaces.
_PABULIB_TEXTS: Final[dict[LeftoverPolicy, str]] = {
    "fund_fitting": "Fund additional projects that fit within leftover budget ordered by score",
    "partial": "Partially fund one additional project with highest score",
    "return": "Leftover budget returns to the municipality",
    "next_round": "Leftover budget is carried over to the next round",
}


def pabulib_leftover_text(policy: LeftoverPolicy) -> str:
    """The META ``leftover_budget`` text for a policy (what wijkbudget's records write)."""
    return _PABULIB_TEXTS[policy]


def policy_from_pabulib(text: str) -> LeftoverPolicy | None:
    """The policy a META ``leftover_budget`` text describes, or ``None`` when the text is not one we know.

    Case, surrounding spaces, repeated spaces and a final full stop do not matter; anything else does: an
    unknown text must be reported, never guessed.
    """
    wanted = _normalised(text)
    for policy, known in _PABULIB_TEXTS.items():
        if _normalised(known) == wanted:
            return policy
    return None


def _normalised(text: str) -> str:
    return " ".join(text.split()).rstrip(".").lower()


class LeftoverPolicyError(ValueError):
    """The policy name is not one of :data:`LEFTOVER_POLICIES`; the message lists them."""


@dataclass(frozen=True, slots=True)
class PartialFunding:
    """A project funded for part of its cost: ``amount`` of its ``cost`` came from the money left over."""

    project_id: str
    amount: Money
    cost: Money

    def to_dict(self) -> dict[str, object]:
        return {
            "project_id": self.project_id,
            "amount": json_number(self.amount),
            "cost": json_number(self.cost),
        }


@dataclass(frozen=True, slots=True)
class LeftoverStep:
    """What the leftover step did: the money left after the rule (``before``), the projects it funded fully
    (``added``, in order), the partly funded project (``partial``) and the money still left (``after``)."""

    policy: LeftoverPolicy
    before: Money
    added: tuple[str, ...]
    partial: PartialFunding | None
    after: Money

    def to_dict(self) -> dict[str, object]:
        return {
            "policy": self.policy,
            "description": LEFTOVER_DESCRIPTIONS[self.policy],
            "left_after_rule": json_number(self.before),
            "added": list(self.added),
            "partial": self.partial.to_dict() if self.partial is not None else None,
            "left_after_step": json_number(self.after),
        }


@dataclass(frozen=True, slots=True)
class LeftoverResult:
    """The count after the step: every funded project in order, the updated explanations and the step."""

    selected: tuple[str, ...]
    explanations: dict[str, Explanation]
    step: LeftoverStep


def check_policy(policy: str) -> LeftoverPolicy:
    """``policy`` as a :data:`LeftoverPolicy`, or :class:`LeftoverPolicyError` naming the known ones."""
    for known in LEFTOVER_POLICIES:
        if policy == known:
            return known
    raise LeftoverPolicyError(
        f"unknown leftover policy {policy!r}; choose one of: {', '.join(LEFTOVER_POLICIES)}"
    )


def apply_leftover(
    policy: str,
    budget: Money,
    projects: Mapping[str, Project],
    scores: Mapping[str, Points],
    priority: Sequence[str],
    selected: Sequence[str],
    explanations: Mapping[str, Explanation],
    *,
    min_score: Points | None = None,
) -> LeftoverResult:
    """Apply the leftover ``policy`` to a finished count (see the module docstring).

    ``selected``/``explanations`` are the rule's; ``priority`` is the count's tie-break order of all projects.
    Raises :class:`LeftoverPolicyError` for an unknown policy.
    """
    checked = check_policy(policy)
    spent: Money = sum((projects[pid].cost for pid in selected), 0)
    left: Money = budget - spent
    chosen = list(selected)
    updated = dict(explanations)
    added: list[str] = []
    partial: PartialFunding | None = None
    if checked in ("fund_fitting", "partial") and left > 0:
        for pid in in_line(projects, scores, priority, selected, min_score=min_score):
            cost = projects[pid].cost
            before = updated[pid].code
            if cost <= left:
                left -= cost
                chosen.append(pid)
                added.append(pid)
                updated[pid] = _funded(pid, scores[pid], cost, len(chosen), left, before)
            elif checked == "partial":
                partial = PartialFunding(pid, left, cost)
                updated[pid] = _partly_funded(pid, scores[pid], partial, before)
                left = 0
            if checked == "partial":
                break  # one project only, fully or partly funded
    step = LeftoverStep(checked, budget - spent, tuple(added), partial, left)
    return LeftoverResult(tuple(chosen), {pid: updated[pid] for pid in projects}, step)


def in_line(
    projects: Mapping[str, Project],
    scores: Mapping[str, Points],
    priority: Sequence[str],
    selected: Sequence[str],
    *,
    min_score: Points | None = None,
) -> list[str]:
    """The projects not funded that may still get leftover money, best score first (ties: ``priority``)."""
    rank = {pid: index for index, pid in enumerate(priority)}
    funded = set(selected)
    waiting = [
        pid
        for pid in projects
        if pid not in funded and scores[pid] > 0 and (min_score is None or scores[pid] >= min_score)
    ]
    return sorted(waiting, key=lambda pid: (-scores[pid], rank[pid]))


def _funded(pid: str, score: Points, cost: Money, rank: int, left: Money, before: str) -> Explanation:
    details: dict[str, Detail] = {
        "rank": rank,
        "score": score,
        "cost": cost,
        "budget_left": left,
        "phase": "leftover",
        "before": before,
    }
    return Explanation(pid, SELECTED, details)


def _partly_funded(pid: str, score: Points, partial: PartialFunding, before: str) -> Explanation:
    details: dict[str, Detail] = {
        "score": score,
        "cost": partial.cost,
        "amount": partial.amount,
        "missing": partial.cost - partial.amount,
        "before": before,
    }
    return Explanation(pid, PARTIALLY_FUNDED, details)
