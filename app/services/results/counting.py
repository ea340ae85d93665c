"""Count a closed round and store its result, hidden until publication."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any, NoReturn

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.counting import MES_RULES, Outcome, TieBreakError, UnknownRuleError, count
from app.counting.explain import json_number
from app.extensions import db
from app.models import BallotStatus, Phase, Result, Role, Round, TieBreak, User
from app.models.base import utcnow
from app.services.audit import record_event
from app.services.eligibility.verification import ballots_by_status, refuse_count_while_verifying
from app.services.errors import NotAllowed, NotFound, RuleViolation
from app.services.results.election import LoadedElection, counting_id, load_election

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
    loaded = load_election(rnd)
    try:
        outcome = count_election(loaded, rnd)
    except (UnknownRuleError, TieBreakError, ValueError) as error:
        refuse(_counting_error(rnd, error))
    values = _result_values(rnd, loaded, outcome)
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
    """Count `loaded` with the round's published rule, tie-break and drawn lot (also used for re-runs)."""
    lot: list[str] | None = None
    if rnd.tie_break == TieBreak.DEFAULT.value and rnd.tie_break_lot is not None:
        lot = [counting_id(project_id) for project_id in rnd.tie_break_lot]
    return count(loaded.election, rnd.counting_rule or DEFAULT_RULE, tie_break=rnd.tie_break, lot_order=lot)


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


def _result_values(rnd: Round, loaded: LoadedElection, outcome: Outcome) -> dict[str, Any]:
    selected = set(outcome.selected)
    rows = []
    for pid in ranking_order(loaded, outcome):
        explanation = outcome.explanations[pid].to_dict()
        rows.append(
            {
                "project_id": int(pid),
                "title": loaded.projects[pid].title,
                "votes": outcome.supporters[pid],
                "score": json_number(outcome.scores[pid]),
                "cost_cents": int(loaded.election.projects[pid].cost),
                "selected": pid in selected,
                "explanation": {
                    "code": explanation["code"],
                    "details": _plain_details(explanation["details"]),
                },
            }
        )
    return {
        "rule": outcome.rule,
        "tie_break": rnd.tie_break,
        "tie_break_detail": tie_break_detail(rnd, loaded, outcome),
        "project_results": rows,
        "selected_project_ids": [int(pid) for pid in outcome.selected],
        "total_cost_cents": int(outcome.total_cost),
        "ballots_counted": loaded.ballots_counted,
        "ballots_rejected": ballots_by_status(rnd.id).get(BallotStatus.REJECTED.value, 0),
        "computed_at": utcnow(),
        "published_at": None,
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
