"""Comply or explain: a winner is dropped only with a published reason, and its money goes back to the
residents' choice by the round's own published rule."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.counting import Ballot as CountedBallot
from app.counting import Election, Outcome, TieBreakError, UnknownRuleError
from app.extensions import db
from app.models import Commitment, CommitmentStatus, Project, Result, Role, Round, User, WinnerDrop
from app.models.base import utcnow
from app.services.audit import record_event
from app.services.commitments.promises import MAX_ID, create_commitments
from app.services.errors import NotAllowed, NotFound, RuleViolation
from app.services.results.counting import count_election, lock_round, refuse, result_of
from app.services.results.election import LoadedElection, LoadedPart, LoadedRound, counting_id, load_round
from app.services.results.publishing import funded_amounts
from app.translated import lazy_gettext as _l
from app.typed_text import multi_line

REASON_MAX = 4000


@dataclass(frozen=True)
class DropDecision:
    """What dropping changes: the winners that are added (in the re-run's order) and what the re-run said."""

    added: list[int]
    rerun: dict[str, Any]


def drop_winner(actor: User, round_id: int, project_id: int, reason: str) -> WinnerDrop:
    """Drop a current winner of a published round with a public reason, and add what the rule now chooses.

    Rules:
    - Organisers only; only a published round; only a current winner (an original winner or one added by an
      earlier drop, not already dropped); a reason of 1 to 4000 characters.
    - The round's published rule and tie-break (with the same drawn lot) are run again with `load_election`
      and `app.counting.count` on the original ballots, with every project dropped so far removed (the
      ballots themselves stay: a ballot that named only dropped projects still counts as cast).
    - The re-run's winners that are not current winners are added in the re-run's order, each only if the
      current winners (minus the dropped one) plus the added so far stay within the round's budget; one that
      does not fit is skipped and the next one is tried.
    - Original winners are never removed, even when the re-run would not choose one again. This happens with
      equal shares (the budget per voter changes) and even with greedy: when the freed money lets a larger
      project with more votes fit, the re-run may pass over a cheaper original winner. Such winners are listed
      in `rerun["kept_winners_not_rechosen"]`, and a re-run winner that did not fit next to them in
      `rerun["not_added_no_room"]`.
    - The published Result stays untouched (it is immutable). The WinnerDrop keeps the reason, the added
      projects and the re-run's summary; the dropped project's commitment gets status "dropped"; every added
      project gets a new commitment. Audited as "winner.dropped". One transaction, with the round row locked
      so two drops cannot race.
    """
    if not actor.has_role(Role.ORGANISER):
        raise NotAllowed(_l("Only organisers can drop a winning project."))
    reason = multi_line(reason)
    rnd = lock_round(round_id)
    result = result_of(rnd.id)
    if result is None or result.published_at is None:
        refuse(RuleViolation(_l("Only a winner of a published result can be dropped.")))
    drops = round_drops(rnd.id)
    winners = current_winners(result, drops)
    _check(project_id, winners, reason)
    decision = decide(
        rnd,
        winners,
        removed=[d.project_id for d in drops] + [project_id],
        dropped=project_id,
        amounts=funded_amounts(result),
    )
    drop = WinnerDrop(
        round_id=rnd.id,
        project_id=project_id,
        reason=reason,
        organiser_id=actor.id,
        added_project_ids=decision.added,
        rerun=decision.rerun,
    )
    db.session.add(drop)
    db.session.flush()
    now = utcnow()
    _mark_dropped(rnd, project_id, now)
    create_commitments(rnd, decision.added, now=now, added_by=drop)
    record_event(
        actor,
        "winner.dropped",
        round_id=rnd.id,
        subject=f"round {rnd.id}: project {project_id}"[:120],
        details={"drop_id": drop.id, "project_id": project_id, "reason": reason, **decision.rerun},
    )
    db.session.commit()
    return drop


def _check(project_id: int, winners: list[int], reason: str) -> None:
    if project_id not in winners:
        refuse(RuleViolation(_l("Only a current winner of this round can be dropped."), field="project_id"))
    if not reason:
        refuse(
            RuleViolation(
                _l("Explain why this project will not be delivered. Residents will see this reason."),
                field="reason",
            )
        )
    if len(reason) > REASON_MAX:
        refuse(RuleViolation(_l("Use at most %(n)d characters.", n=REASON_MAX), field="reason"))


def decide(
    rnd: Round,
    winners: list[int],
    *,
    removed: list[int],
    dropped: int,
    amounts: Mapping[int, int] | None = None,
) -> DropDecision:
    """Re-run the dropped project's part of the ballot without `removed` and choose which re-run winners to
    add (see `drop_winner`). Only that part's winners and budget count; a winner funded in part counts with
    its amount (`amounts`)."""
    part = _part_of(load_round(rnd), dropped)
    loaded = without_projects(part.loaded, removed)
    try:
        outcome = count_election(loaded, rnd)
    except (UnknownRuleError, TieBreakError, ValueError):
        refuse(RuleViolation(_l("The votes could not be counted again with the rule of this round.")))
    in_part = {int(pid) for pid in part.loaded.election.projects}
    kept = [pid for pid in winners if pid != dropped and pid in in_part]
    costs = {int(pid): int(project.cost) for pid, project in part.loaded.election.projects.items()}
    spent = sum((amounts or {}).get(pid, costs[pid]) for pid in kept)
    budget = int(part.loaded.election.budget)
    added, no_room = [], []
    for pid in (int(cid) for cid in outcome.selected):
        if pid in kept:
            continue
        if spent + costs[pid] <= budget:
            added.append(pid)
            spent += costs[pid]
        else:
            no_room.append(pid)
    return DropDecision(added=added, rerun=_summary(budget, outcome, removed, kept, no_room, spent))


def _part_of(loaded: LoadedRound, project_id: int) -> LoadedPart:
    """The part of the ballot a project is in (the first part when it is in none, which cannot happen for a
    winner: winners are projects on the ballot)."""
    pid = counting_id(project_id)
    return next((part for part in loaded.parts if pid in part.loaded.projects), loaded.parts[0])


def _summary(
    budget: int, outcome: Outcome, removed: list[int], kept: list[int], no_room: list[int], spent: int
) -> dict[str, Any]:
    rechosen = {int(pid) for pid in outcome.selected}
    return {
        "rule": outcome.rule,
        "tie_break": outcome.tie_break.mode,
        "removed_project_ids": list(removed),
        "rerun_selected_ids": [int(pid) for pid in outcome.selected],
        "rerun_total_cost_cents": int(outcome.total_cost),
        "kept_winners_not_rechosen": [pid for pid in kept if pid not in rechosen],
        "not_added_no_room": no_room,
        "budget_cents": budget,
        "winners_cost_cents": spent,
    }


def without_projects(loaded: LoadedElection, project_ids: Iterable[int]) -> LoadedElection:
    """The same election with these projects taken off the ballot; every ballot stays, minus those choices."""
    gone = {counting_id(pid) for pid in project_ids}
    election = loaded.election
    projects = [p for pid, p in election.projects.items() if pid not in gone]
    ballots = [_without(ballot, gone) for ballot in election.ballots]
    reduced = Election.build(
        election.budget,
        projects,
        ballots,
        election.vote_type,
        min_project_score=election.min_project_score,
        category_caps=election.category_caps,
        neighborhood_caps=election.neighborhood_caps,
    )
    return LoadedElection(
        election=reduced, projects={pid: p for pid, p in loaded.projects.items() if pid not in gone}
    )


def _without(ballot: CountedBallot, gone: set[str]) -> CountedBallot:
    """The ballot minus the choices for `gone` projects (with their points, on a points ballot)."""
    if ballot.points is None:
        return CountedBallot(tuple(c for c in ballot.choices if c not in gone), weight=ballot.weight)
    kept = [(c, p) for c, p in zip(ballot.choices, ballot.points, strict=True) if c not in gone]
    return CountedBallot(tuple(c for c, _ in kept), tuple(p for _, p in kept), weight=ballot.weight)


def _mark_dropped(rnd: Round, project_id: int, now: Any) -> None:
    commitment = db.session.scalar(select(Commitment).where(Commitment.project_id == project_id))
    if commitment is None:  # a round published before commitments existed
        commitment = create_commitments(rnd, [project_id], now=now)[0]
    commitment.status = CommitmentStatus.DROPPED.value


def current_winners(result: Result, drops: Iterable[WinnerDrop]) -> list[int]:
    """The published winners, minus every dropped project, plus every project added after a drop (in order)."""
    drops = list(drops)
    dropped = {d.project_id for d in drops}
    winners = [pid for pid in result.selected_project_ids if pid not in dropped]
    for drop in drops:
        winners += [pid for pid in drop.added_project_ids if pid not in dropped and pid not in winners]
    return winners


def round_drops(round_id: int) -> list[WinnerDrop]:
    """The round's drops, oldest first."""
    return list(
        db.session.scalars(select(WinnerDrop).where(WinnerDrop.round_id == round_id).order_by(WinnerDrop.id))
    )


def drop_of_project(project_id: int) -> WinnerDrop | None:
    return db.session.scalar(select(WinnerDrop).where(WinnerDrop.project_id == project_id))


def project_titles(project_ids: Iterable[int]) -> dict[int, str]:
    ids = list(project_ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(Project.id, Project.title).where(Project.id.in_(ids))).all())


def winner_to_drop(round_id: int, project_id: int) -> tuple[Round, Project]:
    """The round and project an organiser is about to drop; NotFound unless it is a current winner."""
    if not (0 < round_id <= MAX_ID and 0 < project_id <= MAX_ID):
        raise NotFound(_l("This project is not a winner of a published round."))
    rnd = db.session.get(Round, round_id)
    project = db.session.get(Project, project_id)
    result = result_of(round_id) if rnd else None
    if rnd is None or project is None or result is None or result.published_at is None:
        raise NotFound(_l("This project is not a winner of a published round."))
    if project_id not in current_winners(result, round_drops(round_id)):
        raise NotFound(_l("This project is not a winner of a published round."))
    return rnd, project
