"""Residents' proposals: submit, edit and withdraw during the proposal phase, and what residents may read.

Rules (checked here, on the server, whatever the form did):
- Only while the round is in the proposal phase (phase PROPOSALS and before `review_open_at`).
- Only a logged-in user whose neighbourhood (`wijk_id`) is the round's wijk may propose.
- A proposal keeps within the kaders: cost between the round's minimum and maximum project cost, a category
  of the round, a buurt of the round's wijk (or none), title and description within the length limits.
- Only the author edits or withdraws a proposal; editing only while it still waits for the feasibility check.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Buurt, Notification, Phase, Project, ProjectStatus, Round, User
from app.money import euro_text
from app.services.audit import record_event
from app.services.errors import NotAllowed, NotFound, RuleViolation
from app.translated import lazy_gettext as _l
from app.typed_text import multi_line, one_line

TITLE_MIN = 5
TITLE_MAX = 120
DESCRIPTION_MIN = 20
DESCRIPTION_MAX = 5000
NOTIFICATION_KINDS = ("proposal_reviewed", "cost_adjusted")
MAX_ID = 2**31 - 1  # ids are 32-bit integers; a larger number in a URL names nothing


class ProposalRejected(RuleViolation):
    """The proposal breaks one or more rules; `problems` lists every one (each with its form field)."""

    def __init__(self, problems: list[RuleViolation]) -> None:
        super().__init__(problems[0].message, problems[0].field)
        self.problems = problems


def visible_round(round_id: int) -> Round:
    """A round residents may see: every round except drafts the organisers are still preparing."""
    rnd = db.session.get(Round, round_id) if 0 < round_id <= MAX_ID else None
    if rnd is None or rnd.phase == Phase.DRAFT.value:
        raise NotFound(_l("This round does not exist."))
    return rnd


def rounds_for(user: User | None) -> list[Round]:
    """All visible rounds, the user's own wijk first, then by voting date (newest first)."""
    rounds = db.session.scalars(
        select(Round).where(Round.phase != Phase.DRAFT.value).order_by(Round.voting_open_at.desc(), Round.id)
    ).all()
    own = user.wijk_id if user is not None else None
    return sorted(rounds, key=lambda r: r.wijk_id != own)


def proposals_open(rnd: Round, now: datetime | None = None) -> bool:
    """Proposals are possible in the PROPOSALS phase, and not after its closing date even if the phase lags."""
    now = now or datetime.now(UTC)
    return rnd.phase == Phase.PROPOSALS.value and now < rnd.review_open_at


def may_propose(actor: User | None, rnd: Round) -> RuleViolation | None:
    """Why `actor` may not propose in `rnd` now, or None when they may."""
    if not proposals_open(rnd):
        return RuleViolation(_l("You can only submit or change proposals while the proposal phase is open."))
    if actor is None:
        return NotAllowed(_l("Log in to submit a proposal."))
    if actor.wijk_id != rnd.wijk_id:
        return NotAllowed(
            _l("Only residents of %(wijk)s can submit proposals in this round.", wijk=rnd.wijk.name)
        )
    return None


def proposal_problems(
    rnd: Round, *, title: str, description: str, cost_cents: int | None, category: str, buurt_id: int | None
) -> list[RuleViolation]:
    """Every way the proposal breaks the round's kaders or the length limits (empty list: it is fine)."""
    problems = []
    if not TITLE_MIN <= len(one_line(title)) <= TITLE_MAX:
        problems.append(
            RuleViolation(
                _l("Use between %(min)d and %(max)d characters for the title.", min=TITLE_MIN, max=TITLE_MAX),
                "title",
            )
        )
    if not DESCRIPTION_MIN <= len(multi_line(description)) <= DESCRIPTION_MAX:
        problems.append(
            RuleViolation(
                _l(
                    "Use between %(min)d and %(max)d characters for the description.",
                    min=DESCRIPTION_MIN,
                    max=DESCRIPTION_MAX,
                ),
                "description",
            )
        )
    problems += _cost_problems(rnd, cost_cents)
    if category not in rnd.categories:
        problems.append(RuleViolation(_l("Choose one of the themes of this round."), "category"))
    if buurt_id is not None and not _buurt_in_wijk(buurt_id, rnd.wijk_id):
        problems.append(
            RuleViolation(_l("Choose a buurt of %(wijk)s, or none.", wijk=rnd.wijk.name), "buurt_id")
        )
    return problems


def _cost_problems(rnd: Round, cost_cents: int | None) -> list[RuleViolation]:
    low, high = max(rnd.min_project_cost_cents, 1), rnd.max_project_cost_cents
    if cost_cents is None or not low <= cost_cents <= high:
        return [
            RuleViolation(
                _l(
                    "The estimated cost must be at least %(min)s and at most %(max)s.",
                    min=euro_text(low),
                    max=euro_text(high),
                ),
                "cost",
            )
        ]
    return []


def _buurt_in_wijk(buurt_id: int, wijk_id: int) -> bool:
    buurt = db.session.get(Buurt, buurt_id) if 0 < buurt_id <= MAX_ID else None
    return buurt is not None and buurt.wijk_id == wijk_id


def submit_proposal(
    actor: User,
    round_id: int,
    *,
    title: str,
    description: str,
    cost_cents: int | None,
    category: str,
    buurt_id: int | None = None,
) -> Project:
    """Add a resident's proposal to a round in its proposal phase; it waits for the feasibility check.

    Raises NotFound (no such round), RuleViolation (phase), NotAllowed (other wijk) or ProposalRejected
    listing every broken kader. Nothing is stored unless every rule holds.
    """
    rnd = visible_round(round_id)
    _refuse_if(may_propose(actor, rnd))
    values = _checked_values(
        rnd, title=title, description=description, cost_cents=cost_cents, category=category, buurt_id=buurt_id
    )
    project = Project(round_id=rnd.id, author_id=actor.id, status=ProjectStatus.SUBMITTED.value, **values)
    project.original_cost_cents = project.cost_cents
    db.session.add(project)
    db.session.flush()
    record_event(actor, "proposal.submitted", round_id=rnd.id, subject=f"project:{project.id}")
    db.session.commit()
    return project


def edit_proposal(
    actor: User,
    project_id: int,
    *,
    title: str,
    description: str,
    cost_cents: int | None,
    category: str,
    buurt_id: int | None = None,
) -> Project:
    """Change one's own proposal while the proposal phase lasts and it still waits for the check.

    Raises NotAllowed for someone else's proposal, RuleViolation after the phase or once reviewed or
    withdrawn, ProposalRejected for broken kaders. The estimate stays the "original" estimate.
    """
    project = own_proposal(actor, project_id)
    _refuse_if(may_propose(actor, project.round))
    if project.status != ProjectStatus.SUBMITTED.value:
        raise RuleViolation(_l("This proposal can no longer be changed."))
    values = _checked_values(
        project.round,
        title=title,
        description=description,
        cost_cents=cost_cents,
        category=category,
        buurt_id=buurt_id,
    )
    for name, value in values.items():
        setattr(project, name, value)
    project.original_cost_cents = project.cost_cents
    record_event(actor, "proposal.edited", round_id=project.round_id, subject=f"project:{project.id}")
    db.session.commit()
    return project


def withdraw_proposal(actor: User, project_id: int) -> Project:
    """Withdraw one's own proposal during the proposal phase; it stays visible, marked as withdrawn."""
    project = own_proposal(actor, project_id)
    _refuse_if(may_propose(actor, project.round))
    if project.status == ProjectStatus.WITHDRAWN.value:
        raise RuleViolation(_l("This proposal has already been withdrawn."))
    project.status = ProjectStatus.WITHDRAWN.value
    record_event(actor, "proposal.withdrawn", round_id=project.round_id, subject=f"project:{project.id}")
    db.session.commit()
    return project


def own_proposal(actor: User, project_id: int) -> Project:
    """The actor's own proposal; NotFound if it does not exist, NotAllowed if someone else wrote it."""
    project = _project(project_id)
    if project is None or project.round.phase == Phase.DRAFT.value:
        raise NotFound(_l("This proposal does not exist."))
    if project.author_id != actor.id:
        raise NotAllowed(_l("Only the author can change or withdraw a proposal."))
    return project


def _project(project_id: int) -> Project | None:
    return db.session.get(Project, project_id) if 0 < project_id <= MAX_ID else None


def _refuse_if(problem: RuleViolation | None) -> None:
    if problem is not None:
        raise problem


def _checked_values(rnd: Round, **values: Any) -> dict[str, Any]:
    problems = proposal_problems(rnd, **values)
    if problems:
        raise ProposalRejected(problems)
    return {
        "title": one_line(values["title"]),
        "description": multi_line(values["description"]),
        "cost_cents": values["cost_cents"],
        "category": values["category"],
        "buurt_id": values["buurt_id"],
    }


def public_project(project_id: int) -> Project:
    """A project anyone may look at (any project of a round that is not a draft)."""
    project = _project(project_id)
    if project is None or project.round.phase == Phase.DRAFT.value:
        raise NotFound(_l("This project does not exist."))
    return project


def proposals_of(actor: User) -> list[Project]:
    """The actor's own proposals in every round, newest first."""
    return list(
        db.session.scalars(
            select(Project)
            .where(Project.author_id == actor.id)
            .order_by(Project.created_at.desc(), Project.id.desc())
        )
    )


def proposal_notifications(actor: User) -> list[Notification]:
    """The actor's notifications about their proposals (review outcome, cost change), newest first."""
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == actor.id, Notification.kind.in_(NOTIFICATION_KINDS))
            .order_by(Notification.created_at.desc(), Notification.id.desc())
        )
    )


def mark_notifications_read(actor: User, notification_ids: list[int]) -> int:
    """Mark the actor's own notifications as read (others' are ignored); returns how many changed."""
    if not notification_ids:
        return 0
    notifications = db.session.scalars(
        select(Notification).where(
            Notification.id.in_(notification_ids),
            Notification.user_id == actor.id,
            Notification.read_at.is_(None),
        )
    ).all()
    now = datetime.now(UTC)
    for notification in notifications:
        notification.read_at = now
    db.session.commit()
    return len(notifications)
