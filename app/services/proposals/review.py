"""The feasibility review (haalbaarheidstoets): professionals decide, with public reasons, before voting."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Phase, Project, ProjectStatus, Role, Round, User
from app.models.base import utcnow
from app.money import euro_text
from app.services.accounts.wijk_access import in_held_wijken, require_wijk
from app.services.audit import record_event
from app.services.errors import NotAllowed, NotFound, RuleViolation
from app.services.notifications.inbox import notify
from app.services.proposals.follows import tell_followers
from app.translated import lazy_gettext as _l
from app.typed_text import multi_line

REVIEW_PHASES = (Phase.PROPOSALS.value, Phase.REVIEW.value)
REASON_MAX = 4000


def rounds_in_review(actor: User) -> list[Round]:
    """Rounds of the actor's wijken in which proposals can be reviewed (PROPOSALS and REVIEW), REVIEW first."""
    rounds = db.session.scalars(
        select(Round)
        .where(Round.phase.in_(REVIEW_PHASES), in_held_wijken(actor, Round.wijk_id))
        .options(selectinload(Round.projects), selectinload(Round.wijk))
        .order_by(Round.voting_open_at, Round.id)
    ).all()
    return sorted(rounds, key=lambda r: r.phase != Phase.REVIEW.value)


def review_project(
    actor: User,
    project_id: int,
    *,
    feasible: bool,
    reason: str,
    new_cost_cents: int | None,
    cost_reason: str | None,
) -> Project:
    """Record a professional's verdict on a proposal; the last verdict before voting counts.

    Rules: only professionals (and admins); only while the round is in PROPOSALS or REVIEW; a withdrawn
    proposal cannot be reviewed; "infeasible" needs a public reason; a changed cost needs a public reason
    and stays above zero; a feasible project's cost must lie within the kaders' min/max (otherwise it is
    infeasible and the reviewer says so). The original cost is kept. Writes a "project.reviewed" audit event
    and notifies the author ("proposal_reviewed", also by e-mail, and "cost_adjusted" when the cost changed).
    """
    if not actor.has_role(Role.PROFESSIONAL):
        raise NotAllowed(_l("Only professionals may review proposals."))
    project = db.session.execute(
        select(Project)
        .where(Project.id == project_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if project is None:
        raise NotFound(_l("This proposal does not exist."))
    require_wijk(actor, project.round.wijk_id)
    reason, cost_reason = multi_line(reason), multi_line(cost_reason)
    new_cost = project.cost_cents if new_cost_cents is None else new_cost_cents
    _check(project, feasible, reason, new_cost, cost_reason)
    old_cost, old_status = project.cost_cents, project.status
    _apply(project, actor, feasible, reason, new_cost, cost_reason)
    record_event(
        actor,
        "project.reviewed",
        round_id=project.round_id,
        subject=f"project {project.id}: {project.title}"[:120],
        details={
            "project_id": project.id,
            "verdict": project.status,
            "previous_status": old_status,
            "reason": project.review_reason or "",
            "old_cost_cents": old_cost,
            "new_cost_cents": project.cost_cents,
            "original_cost_cents": project.original_cost_cents,
            "cost_reason": cost_reason if new_cost != old_cost else "",
        },
    )
    _notify_author(project, old_cost, cost_reason)
    db.session.commit()
    return project


def _check(project: Project, feasible: bool, reason: str, new_cost: int, cost_reason: str) -> None:
    rnd = project.round
    if rnd.phase not in REVIEW_PHASES:
        raise RuleViolation(_l("Reviews are only possible before voting starts."))
    if project.status == ProjectStatus.WITHDRAWN.value:
        raise RuleViolation(_l("The author has withdrawn this proposal."))
    if project.status == ProjectStatus.NOT_ENOUGH_SUPPORT.value:
        raise RuleViolation(_l("This proposal did not get enough support, so it is not reviewed."))
    if rnd.support_threshold > 0 and rnd.phase == Phase.PROPOSALS.value:
        # Support is still being gathered: which proposals go to review is known only when the phase ends.
        raise RuleViolation(
            _l(
                "In this round proposals are checked after the proposal phase, once it is clear which have enough support."
            )
        )
    if not feasible and not reason:
        raise RuleViolation(
            _l("Explain why the project is not feasible. Residents will see this reason."), field="reason"
        )
    if len(reason) > REASON_MAX or len(cost_reason) > REASON_MAX:
        field = "reason" if len(reason) > REASON_MAX else "cost_reason"
        raise RuleViolation(_l("Use at most %(n)d characters.", n=REASON_MAX), field=field)
    if new_cost <= 0:
        raise RuleViolation(_l("The cost must be more than € 0."), field="new_cost_cents")
    if feasible and not rnd.min_project_cost_cents <= new_cost <= rnd.max_project_cost_cents:
        raise RuleViolation(
            _l(
                "A project of %(cost)s is outside the limits of this round (%(min)s to %(max)s), so it is "
                "not feasible. Choose “not feasible” and explain why.",
                cost=euro_text(new_cost),
                min=euro_text(rnd.min_project_cost_cents),
                max=euro_text(rnd.max_project_cost_cents),
            ),
            field="new_cost_cents",
        )
    # Only a cost that could stand needs its reason: a cost outside the limits is refused for that first.
    if new_cost != project.cost_cents and not cost_reason:
        raise RuleViolation(
            _l("Explain why the cost changes. The author and residents will see this reason."),
            field="cost_reason",
        )


def _apply(
    project: Project, actor: User, feasible: bool, reason: str, new_cost: int, cost_reason: str
) -> None:
    project.status = (ProjectStatus.FEASIBLE if feasible else ProjectStatus.INFEASIBLE).value
    project.review_reason = reason or None
    project.reviewer_id = actor.id
    project.reviewed_at = utcnow()
    if new_cost != project.cost_cents:
        project.cost_cents = new_cost
        project.cost_change_reason = cost_reason


def _notify_author(project: Project, old_cost: int, cost_reason: str) -> None:
    author = project.author
    # The author and everyone who follows the proposal hear the outcome.
    tell_followers(
        project, None, "proposal_reviewed", status=project.status, reason=project.review_reason or ""
    )
    if author is not None and project.cost_cents != old_cost:
        notify(
            author,
            "cost_adjusted",
            project_id=project.id,
            old_cost_cents=old_cost,
            new_cost_cents=project.cost_cents,
            reason=cost_reason,
        )
