"""Moving a round through its phases: DRAFT -> PROPOSALS -> REVIEW -> VOTING -> CLOSED -> PUBLISHED.

Rules (the same by hand and by date):
- Only forward, one step at a time; the beat task may take several steps at once when several dates passed.
- Never into PUBLISHED here: publication always needs the count (`app.services.results.publishing.publish_round`).
- Voting opens only when no proposal still waits for review ("submitted") and at least one project is
  feasible. By hand the organiser is told which proposals block; by date the round stays in REVIEW and one
  "phase.blocked" audit event is recorded until the round moves again.
- When the proposal phase ends, proposals below the kaders' support threshold skip the review
  (`app.services.proposals.support.apply_support_threshold`).
- When voting opens, the tie-break lot is drawn once (`secrets.SystemRandom`) over exactly the feasible
  project ids and recorded in the audit log; `voting_opened_at` is set. Closing sets `voting_closed_at`.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select

from app.extensions import db
from app.models import (
    AuditEvent,
    Eligibility,
    Phase,
    Project,
    ProjectStatus,
    RegisterEntry,
    Result,
    Round,
    User,
)
from app.models.base import utcnow
from app.models.round import PHASE_ORDER
from app.services.accounts.wijk_access import require_wijk
from app.services.audit import record_event
from app.services.errors import NotFound, RuleViolation
from app.services.jobs import enqueue_job
from app.services.paper import paper_ballots
from app.services.proposals.support import apply_support_threshold
from app.services.rounds.wijken import require_organiser
from app.services.voting.urn import SEAL_TASK
from app.translated import lazy_gettext as _l
from app.translated import lazy_ngettext

log = logging.getLogger(__name__)

# The date on which each phase starts by the calendar. PUBLISHED has none here: it needs the count.
COUNT_TASK = "wijkbudget.tally_round"
PUBLISH_TASK = "wijkbudget.publish_round"
PHASE_START = {
    Phase.PROPOSALS: "proposals_open_at",
    Phase.REVIEW: "review_open_at",
    Phase.VOTING: "voting_open_at",
    Phase.CLOSED: "voting_close_at",
}


class VotingBlocked(RuleViolation):
    """Voting cannot open yet; `projects` are the proposals still waiting for review (may be empty)."""

    def __init__(self, message: Any, reason: str, projects: Sequence[Project] = ()) -> None:
        super().__init__(message)
        self.reason = reason
        self.projects = list(projects)


def next_phase(rnd: Round) -> Phase | None:
    """The phase after the current one, or None for a published round."""
    index = PHASE_ORDER.index(rnd.phase_enum)
    return PHASE_ORDER[index + 1] if index + 1 < len(PHASE_ORDER) else None


def next_phase_date(rnd: Round) -> datetime | None:
    """When the next phase is planned (for CLOSED: the planned result date)."""
    target = next_phase(rnd)
    if target is None:
        return None
    return rnd.results_at if target is Phase.PUBLISHED else getattr(rnd, PHASE_START[target])


def next_phase_overdue(rnd: Round, now: datetime | None = None) -> bool:
    """The next phase's date has passed but the round has not moved on (the review is not done, a count is
    pending, or the minute sweep has not run yet): organisers see "was planned for", not "planned"."""
    planned = next_phase_date(rnd)
    return planned is not None and planned <= (now or utcnow())


def waiting_for_review(rnd: Round) -> list[Project]:
    """Proposals that have not been reviewed yet; they block the start of voting."""
    return [p for p in rnd.projects if p.status == ProjectStatus.SUBMITTED.value]


def check_voting_can_open(rnd: Round) -> None:
    """Raise VotingBlocked while proposals wait for review or no project is feasible."""
    waiting = waiting_for_review(rnd)
    if waiting:
        raise VotingBlocked(
            lazy_ngettext(
                "Voting cannot start yet: %(num)d proposal still waits for the feasibility check.",
                "Voting cannot start yet: %(num)d proposals still wait for the feasibility check.",
                len(waiting),
            ),
            "proposals_waiting",
            waiting,
        )
    if not any(p.status == ProjectStatus.FEASIBLE.value for p in rnd.projects):
        raise VotingBlocked(
            _l("Voting cannot start yet: there is no feasible project to vote on."), "no_feasible_projects"
        )
    if _needs_register(rnd) and not _has_register(rnd):
        # The register freezes when voting opens: opening without one would shut every resident out.
        raise VotingBlocked(
            _l("Voting cannot start yet: this round needs a voter register, and none has been imported."),
            "no_register",
        )


def _needs_register(rnd: Round) -> bool:
    return rnd.eligibility in (Eligibility.LETTER_CODES.value, Eligibility.REGISTER_MATCH.value)


def _has_register(rnd: Round) -> bool:
    return (
        db.session.scalar(select(RegisterEntry.id).where(RegisterEntry.round_id == rnd.id).limit(1))
        is not None
    )


def advance_phase(actor: User, round_id: int) -> Round:
    """Move a round one phase forward by hand (see the module rules); audited as "phase.advanced"."""
    require_organiser(actor)
    rnd = _lock(round_id)
    require_wijk(actor, rnd.wijk_id)
    target = next_phase(rnd)
    if target is None:
        raise RuleViolation(_l("This round is finished: the result has been published."))
    if target is Phase.PUBLISHED:
        raise RuleViolation(
            _l("Voting is closed. Start the count and then publish the result to finish the round.")
        )
    if target is Phase.VOTING:
        check_voting_can_open(rnd)
    _enter(rnd, target, actor, utcnow(), how="hand")
    db.session.commit()
    return rnd


def close_voting(actor: User, round_id: int) -> Round:
    """Close voting now (VOTING -> CLOSED) and set `voting_closed_at`; only while voting is open."""
    require_organiser(actor)
    rnd = _lock(round_id)
    require_wijk(actor, rnd.wijk_id)
    if rnd.phase_enum is not Phase.VOTING:
        raise RuleViolation(_l("Voting can only be closed while it is open."))
    _enter(rnd, Phase.CLOSED, actor, utcnow(), how="hand")
    db.session.commit()
    return rnd


def advance_due_rounds(now: datetime | None = None) -> list[int]:
    """Move every round whose next phase date has passed; returns the ids of the rounds that moved.

    Several steps at once when several dates passed, never into PUBLISHED. Each round is its own
    transaction, so a round that fails (or is blocked) never holds back the others.
    """
    now = now or utcnow()
    due = or_(
        *(
            and_(Round.phase == PHASE_ORDER[PHASE_ORDER.index(target) - 1].value, getattr(Round, attr) <= now)
            for target, attr in PHASE_START.items()
        )
    )
    round_ids = db.session.scalars(select(Round.id).where(due).order_by(Round.id)).all()
    moved = []
    for round_id in round_ids:
        try:
            if _advance_by_date(round_id, now):
                moved.append(round_id)
        except Exception:
            db.session.rollback()
            log.exception("could not advance round %s", round_id)
    return moved


def _advance_by_date(round_id: int, now: datetime) -> bool:
    rnd = _lock(round_id)
    moved = False
    while (target := next_phase(rnd)) in PHASE_START and getattr(rnd, PHASE_START[target]) <= now:
        assert target is not None
        if target is Phase.VOTING:
            try:
                check_voting_can_open(rnd)
            except VotingBlocked as blocked:
                _record_blocked_once(rnd, blocked)
                break
        _enter(rnd, target, None, now, how="date")
        moved = True
    db.session.commit()
    return moved


def _record_blocked_once(rnd: Round, blocked: VotingBlocked) -> None:
    last = db.session.scalar(
        select(AuditEvent.action)
        .where(AuditEvent.round_id == rnd.id, AuditEvent.action.in_(("phase.advanced", "phase.blocked")))
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    if last != "phase.blocked":
        record_event(
            None,
            "phase.blocked",
            round_id=rnd.id,
            subject=_subject(rnd),
            details={"reason": blocked.reason, "project_ids": [p.id for p in blocked.projects]},
        )


def _enter(rnd: Round, target: Phase, actor: User | None, now: datetime, *, how: str) -> None:
    previous = rnd.phase
    if target is Phase.REVIEW:
        apply_support_threshold(rnd, actor)  # proposals without enough support skip the review
    elif target is Phase.VOTING:
        _draw_lot(rnd, actor)
        rnd.voting_opened_at = now
    elif target is Phase.CLOSED:
        rnd.voting_closed_at = now
        paper_ballots.discard_waiting_entries(rnd.id, actor)  # unconfirmed paper ballots can no longer count
        enqueue_job(
            SEAL_TASK, rnd.id, round_id=rnd.id
        )  # seal what is left in the urn, now that no ballot comes
    rnd.phase = target.value
    record_event(
        actor,
        "phase.advanced",
        round_id=rnd.id,
        subject=_subject(rnd),
        details={"from": previous, "to": target.value, "by": how},
    )


def _draw_lot(rnd: Round, actor: User | None) -> None:
    """The last tie-break step: the feasible projects in an order drawn by chance, once per round."""
    if rnd.tie_break_lot is not None:
        return
    lot = sorted(p.id for p in rnd.projects if p.status == ProjectStatus.FEASIBLE.value)
    secrets.SystemRandom().shuffle(lot)
    rnd.tie_break_lot = lot
    record_event(actor, "tie_break.lot_drawn", round_id=rnd.id, subject=_subject(rnd), details={"lot": lot})


def request_count(actor: User, round_id: int) -> Round:
    """Record that an organiser asked for the count (audit "count.requested"); only in CLOSED.

    The job `wijkbudget.tally_round` counts after this commit.
    """
    return _request(actor, round_id, "count.requested", COUNT_TASK)


def request_publication(actor: User, round_id: int) -> Round:
    """Record that an organiser asked to publish (audit "publish.requested"); only in CLOSED.

    The job `wijkbudget.publish_round` counts if needed and publishes after this commit.
    """
    return _request(actor, round_id, "publish.requested", PUBLISH_TASK)


def _request(actor: User, round_id: int, action: str, task: str) -> Round:
    require_organiser(actor)
    rnd = _lock(round_id)
    require_wijk(actor, rnd.wijk_id)
    if rnd.phase_enum is not Phase.CLOSED:
        raise RuleViolation(_l("Counting and publishing are only possible after voting has closed."))
    record_event(actor, action, round_id=rnd.id, subject=_subject(rnd))
    args = (rnd.id,) if task == COUNT_TASK else (rnd.id, actor.id)
    enqueue_job(task, *args, round_id=rnd.id)
    db.session.commit()
    return rnd


def hidden_result(round_id: int) -> Result | None:
    """The round's count, published or not (organisers see it before publication)."""
    return db.session.scalar(select(Result).where(Result.round_id == round_id))


def pending_actions(rnd: Round, result: Result | None, now: datetime | None = None) -> list[str]:
    """What an organiser should do next for a round, as codes the dashboard turns into words."""
    now = now or utcnow()
    phase = rnd.phase_enum
    actions = []
    if phase is Phase.DRAFT:
        actions.append("finish_draft")
    if phase in (Phase.PROPOSALS, Phase.REVIEW) and waiting_for_review(rnd):
        actions.append("reviews_waiting")
    if phase is Phase.REVIEW and rnd.voting_open_at <= now:
        actions.append("voting_blocked")
    if phase is Phase.VOTING and rnd.voting_close_at <= now:
        actions.append("close_voting")
    if phase is Phase.CLOSED:
        actions.append("publish" if result is not None else "start_count")
    return actions


def _lock(round_id: int) -> Round:
    rnd = db.session.execute(
        select(Round).where(Round.id == round_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if rnd is None:
        raise NotFound(_l("This round does not exist."))
    return rnd


def _subject(rnd: Round) -> str:
    return f"round {rnd.id}: {rnd.title}"[:120]
