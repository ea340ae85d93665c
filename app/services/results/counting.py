"""Count a closed round and store its result, hidden until publication."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any, NoReturn

from sqlalchemy import select

from app.counting import MES_RULES, Outcome, TieBreakError, UnknownRuleError, count
from app.counting.explain import json_number
from app.extensions import db
from app.models import BallotStatus, LeftoverPolicy, Phase, Result, Role, Round, TieBreak, User
from app.models.base import utcnow
from app.services.audit import record_event
from app.services.eligibility.verification import ballots_by_status, refuse_count_while_verifying
from app.services.errors import NotAllowed, NotFound, RuleViolation
from app.services.results.election import LoadedElection, LoadedPart, LoadedRound, counting_id, load_round
from app.translated import lazy_gettext as _l

DEFAULT_RULE = "greedy"


class ResultAlreadyPublished(RuleViolation):
    """The round's result is published: it is the residents' decision and is never counted again."""

    def __init__(self, result_id: int) -> None:
        super().__init__(_l("The result of this round has been published and can no longer change."))
        self.result_id = result_id


def tally_round(round_id: int, actor_id: int | None = None) -> Result:
    """Count a CLOSED round and store the result with `published_at` unset (hidden from the public).

    Rules: only a round whose voting has closed can be counted; a published result is never touched
    (ResultAlreadyPublished); counting again replaces the unpublished result, so the task is idempotent.
    Records the audit event "round.counted". One transaction.
    """
    actor = organiser_or_system(actor_id)
    rnd = lock_round(round_id)
    existing = result_of(rnd.id)
    if existing is not None and existing.published_at is not None:
        refuse(ResultAlreadyPublished(existing.id))
    if rnd.phase != Phase.CLOSED.value:
        refuse(RuleViolation(_l("A round can only be counted after voting has closed.")))
    result = count_round(rnd, existing, actor)
    db.session.commit()
    return result


def count_round(rnd: Round, existing: Result | None, actor: User | None) -> Result:
    """Count the round into `existing` (or a new Result) inside the caller's transaction; no commit.

    The caller has checked the phase and that `existing` is not published. Refused while register matches or
    ballots still wait for verification: only counted ballots are counted, so the count would not be final.
    """
    try:
        refuse_count_while_verifying(rnd.id)
    except RuleViolation as pending:
        refuse(pending)
    loaded = load_round(rnd)
    try:
        outcomes = [count_election(part.loaded, rnd) for part in loaded.parts]
    except (UnknownRuleError, TieBreakError, ValueError) as error:
        refuse(_counting_error(rnd, error))
    values = _result_values(rnd, loaded, outcomes)
    result = existing or Result(round_id=rnd.id)
    for name, value in values.items():
        setattr(result, name, value)
    db.session.add(result)
    db.session.flush()
    record_event(
        actor,
        "round.counted",
        round_id=rnd.id,
        subject=rnd.title,
        details={"result_id": result.id, "rule": result.rule, "ballots_counted": result.ballots_counted},
    )
    return result


def record_count_failure(round_id: int, task: str, reason: str) -> None:
    """Leave a visible trace when a counting or publishing job gives up (audit event "round.count_failed")."""
    db.session.rollback()
    known = db.session.get(Round, round_id) is not None
    record_event(
        None,
        "round.count_failed",
        round_id=round_id if known else None,
        subject=f"round {round_id}",
        details={"task": task, "reason": reason[:500]},
    )
    db.session.commit()


def lock_round(round_id: int) -> Round:
    """Load the round and lock its row until the transaction ends, so two counts cannot race."""
    rnd = db.session.scalar(
        select(Round).where(Round.id == round_id).with_for_update().execution_options(populate_existing=True)
    )
    if rnd is None:
        refuse(NotFound(_l("This round does not exist.")))
    return rnd


def result_of(round_id: int) -> Result | None:
    return db.session.scalar(select(Result).where(Result.round_id == round_id))


def organiser_or_system(actor_id: int | None) -> User | None:
    """The acting organiser, or None for the system (beat, CLI). Other roles may not count or publish."""
    if actor_id is None:
        return None
    actor = db.session.get(User, actor_id)
    if actor is None:
        refuse(NotFound(_l("This user does not exist.")))
    if not actor.has_role(Role.ORGANISER):
        refuse(NotAllowed(_l("Only an organiser can count or publish a round.")))
    return actor


def refuse(error: RuleViolation) -> NoReturn:
    """End the transaction (and the row lock) without changes, then raise."""
    db.session.rollback()
    raise error


def count_election(loaded: LoadedElection, rnd: Round) -> Outcome:
    """Count `loaded` (one part of the ballot) with the round's published rule, tie-break and drawn lot, its
    caps and minimum score, and then its leftover policy (also used for re-runs)."""
    lot: list[str] | None = None
    if rnd.tie_break == TieBreak.DEFAULT.value and rnd.tie_break_lot is not None:
        # The lot names every project of the round; each part's count only uses its own.
        on_ballot = loaded.election.projects
        lot = [
            pid for pid in (counting_id(project_id) for project_id in rnd.tie_break_lot) if pid in on_ballot
        ]
    return count(
        loaded.election,
        rnd.counting_rule or DEFAULT_RULE,
        tie_break=rnd.tie_break,
        lot_order=lot,
        leftover=rnd.leftover_policy,
    )


def _counting_error(rnd: Round, error: Exception) -> RuleViolation:
    if isinstance(error, UnknownRuleError):
        return RuleViolation(_l("The counting rule “%(rule)s” is not known.", rule=rnd.counting_rule))
    if isinstance(error, TieBreakError):
        return RuleViolation(
            _l(
                "The lot drawn for equal votes does not name every project on the ballot, so it cannot be used."
            )
        )
    return RuleViolation(
        _l("The votes could not be counted with this rule: %(error)s", error=str(error)), field=None
    )


def _result_values(rnd: Round, loaded: LoadedRound, outcomes: list[Outcome]) -> dict[str, Any]:
    """The Result's columns: every part's rows and winners one after the other, with a summary per part, and
    the totals of all parts together."""
    rows: list[dict[str, Any]] = []
    selected: list[int] = []
    parts: list[dict[str, Any]] = []
    for part, outcome in zip(loaded.parts, outcomes, strict=True):
        rows += _project_rows(part, outcome)
        funded = funded_ids(outcome)
        selected += funded
        parts.append(_part_summary(rnd, part, outcome, funded))
    return {
        "rule": outcomes[0].rule,
        "tie_break": rnd.tie_break,
        "tie_break_detail": _merged_tie_break([p["tie_break_detail"] for p in parts]),
        "project_results": rows,
        "selected_project_ids": selected,
        "total_cost_cents": sum(int(outcome.allocated) for outcome in outcomes),
        "ballots_counted": loaded.ballots_counted,
        "ballots_rejected": ballots_by_status(rnd.id).get(BallotStatus.REJECTED.value, 0),
        "parts": parts,
        "computed_at": utcnow(),
        "published_at": None,
    }


def funded_ids(outcome: Outcome) -> list[int]:
    """The projects an outcome funds, as database ids: the winners in order, then a partly funded one."""
    funded = [int(pid) for pid in outcome.selected]
    if outcome.partial is not None:
        funded.append(int(outcome.partial.project_id))
    return funded


def _project_rows(part: LoadedPart, outcome: Outcome) -> list[dict[str, Any]]:
    loaded = part.loaded
    selected = set(outcome.selected)
    partial = outcome.partial
    rows = []
    for pid in ranking_order(loaded, outcome):
        explanation = outcome.explanations[pid].to_dict()
        cost = int(loaded.election.projects[pid].cost)
        is_partial = partial is not None and partial.project_id == pid
        rows.append(
            {
                "project_id": int(pid),
                "title": loaded.projects[pid].title,
                "part": part.key,
                "votes": outcome.supporters[pid],
                "score": json_number(outcome.scores[pid]),
                "cost_cents": cost,
                "selected": pid in selected or is_partial,
                "funded_cents": int(partial.amount)
                if is_partial and partial
                else (cost if pid in selected else 0),
                "explanation": {
                    "code": explanation["code"],
                    "details": _plain_details(explanation["details"]),
                },
            }
        )
    return rows


def _part_summary(rnd: Round, part: LoadedPart, outcome: Outcome, funded: list[int]) -> dict[str, Any]:
    return {
        "key": part.key,
        "name": part.name,
        "buurt_id": part.buurt_id,
        "budget_cents": int(outcome.budget),
        "ballots_counted": part.loaded.ballots_counted,
        "selected_project_ids": funded,
        "total_cost_cents": int(outcome.allocated),
        "budget_left_cents": int(outcome.budget_left),
        "min_score": json_number(outcome.min_score),
        "category_caps": {name: int(cap) for name, cap in outcome.category_caps.items()},
        "neighborhood_caps": {name: int(cap) for name, cap in outcome.neighborhood_caps.items()},
        "tie_break_detail": tie_break_detail(rnd, part.loaded, outcome),
        "leftover": leftover_summary(rnd, outcome),
    }


def leftover_summary(rnd: Round, outcome: Outcome) -> dict[str, Any]:
    """What happened to the money the rule left, with the amounts: the policy, what was left after the rule,
    the projects the step funded (in full, and in part) and what is left in the end, and where that goes."""
    step = outcome.leftover
    partial = outcome.partial
    return {
        "policy": rnd.leftover_policy,
        "left_after_rule_cents": int(step.before) if step is not None else int(outcome.budget_left),
        "added_project_ids": [int(pid) for pid in step.added] if step is not None else [],
        "partial": (
            {
                "project_id": int(partial.project_id),
                "amount_cents": int(partial.amount),
                "cost_cents": int(partial.cost),
            }
            if partial is not None
            else None
        ),
        "left_cents": int(outcome.budget_left),
        "goes_to": "next_round" if rnd.leftover_policy == LeftoverPolicy.NEXT_ROUND.value else "municipality",
    }


def _merged_tie_break(details: list[dict[str, Any]]) -> dict[str, Any]:
    """One tie-break record for the whole round: the parts' own, side by side (one part: exactly its own)."""
    if len(details) == 1:
        return details[0]
    first = details[0]
    return {
        "mode": first["mode"],
        "description": first["description"],
        "lot": first["lot"],
        "fallback_to_id_order": any(d["fallback_to_id_order"] for d in details),
        "order": [pid for d in details for pid in d["order"]],
        "ties": [group for d in details for group in d["ties"]],
        "lot_decided": [group for d in details for group in d["lot_decided"]],
        "lot_mattered": any(d["lot_mattered"] for d in details),
    }


def _plain_details(details: Any) -> dict[str, Any]:
    # Project ids inside an explanation become database ids again.
    return {key: int(value) if key == "stopped_at" else value for key, value in dict(details).items()}


def ranking_order(loaded: LoadedElection, outcome: Outcome) -> list[str]:
    """The order in which the rule looked at the projects: the order of the results table.

    Greedy rules: by score (per cost for greedy-per-cost), ties in the recorded tie-break order.
    Equal shares: the selected projects in the order they were bought, then the others by votes.
    """
    position = {pid: index for index, pid in enumerate(outcome.tie_break.order)}
    ids = list(outcome.explanations)
    if outcome.rule in MES_RULES:
        chosen = list(outcome.selected)
        rest = [pid for pid in ids if pid not in set(chosen)]
        return chosen + sorted(rest, key=lambda pid: (-outcome.supporters[pid], position[pid]))
    if outcome.rule == "greedy-per-cost":
        costs = {pid: loaded.election.projects[pid].cost for pid in ids}
        return sorted(ids, key=lambda pid: (_per_cost(outcome.scores[pid], costs[pid]), position[pid]))
    return sorted(ids, key=lambda pid: (-outcome.scores[pid], position[pid]))


def _per_cost(score: int | Fraction, cost: int | Fraction) -> tuple[int, Fraction]:
    if cost == 0:
        return (0, Fraction(0))
    return (1, -Fraction(score) / Fraction(cost))


def tie_break_detail(rnd: Round, loaded: LoadedElection, outcome: Outcome) -> dict[str, Any]:
    """What broke ties, stored with the result: the mode, the drawn lot, the tied groups and where the lot
    decided. `lot_mattered` is true when the lot decided between projects of which some won and some lost."""
    record = outcome.tie_break
    costs = {pid: loaded.election.projects[pid].cost for pid in outcome.explanations}
    lot_groups: list[list[str]] = []
    for group in outcome.ties:
        lot_groups += _equal_on_cost_and_votes(group, costs, outcome.supporters)
    if record.mode != TieBreak.DEFAULT.value:
        lot_groups = []
    selected = set(outcome.selected)
    return {
        "mode": record.mode,
        "description": record.description,
        "lot": list(rnd.tie_break_lot) if rnd.tie_break_lot is not None else None,
        "fallback_to_id_order": record.fallback,
        "order": [int(pid) for pid in record.order],
        "ties": [[int(pid) for pid in group] for group in outcome.ties],
        "lot_decided": [[int(pid) for pid in group] for group in lot_groups],
        "lot_mattered": any(len({pid in selected for pid in group}) > 1 for group in lot_groups),
    }


def _equal_on_cost_and_votes(
    group: Sequence[str], costs: dict[str, int | Fraction], supporters: Any
) -> list[list[str]]:
    """Sub-groups of a tie that cost and votes could not separate (so the lot, or the id order, did)."""
    buckets: dict[tuple[int | Fraction, int], list[str]] = {}
    for pid in group:
        buckets.setdefault((costs[pid], supporters[pid]), []).append(pid)
    return [members for members in buckets.values() if len(members) > 1]
