"""Support (steun) for proposals during the proposal phase, and the threshold applied when the phase ends.

Rules:
- A resident of the round's wijk supports a proposal that waits for review, once (a unique key decides, so a
  double click or two tabs store one support); they may withdraw it. Both only while proposals are open.
- The count per proposal is public; who supported is never shown to anyone (not even organisers).
- When the proposal phase ends, a proposal that waits for review with fewer supports than the kaders'
  `support_threshold` becomes "not enough support": it skips the feasibility review and stays visible with
  its numbers. A threshold of 0 means no threshold.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select

from app.extensions import db
from app.models import Project, ProjectStatus, Round, Support, User
from app.services.audit import record_event
from app.services.errors import NotAllowed, RuleViolation
from app.services.insert_once import insert_once
from app.services.proposals.submissions import proposals_open, public_project
from app.translated import lazy_gettext as _l


def may_support(actor: User | None, project: Project) -> RuleViolation | None:
    """Why `actor` may not support (or withdraw support for) `project` now, or None when they may."""
    rnd = project.round
    if not proposals_open(rnd):
        return RuleViolation(_l("You can only support proposals while the proposal phase is open."))
    if project.status != ProjectStatus.SUBMITTED.value:
        return RuleViolation(_l("This proposal can no longer be supported."))
    if actor is None:
        return NotAllowed(_l("Log in to support a proposal."))
    if actor.wijk_id != rnd.wijk_id:
        return NotAllowed(
            _l("Only residents of %(wijk)s can support proposals in this round.", wijk=rnd.wijk.name)
        )
    return None


def support_proposal(actor: User, project_id: int) -> int:
    """Add the actor's support (once; supporting again changes nothing). Returns the new count."""
    project = _supportable(actor, project_id)
    insert_once(
        Support, ["project_id", "user_id"], round_id=project.round_id, project_id=project.id, user_id=actor.id
    )
    db.session.commit()
    return support_count(project.id)


def withdraw_support(actor: User, project_id: int) -> int:
    """Take the actor's support back (nothing happens if they had none). Returns the new count."""
    project = _supportable(actor, project_id)
    db.session.execute(delete(Support).where(Support.project_id == project.id, Support.user_id == actor.id))
    db.session.commit()
    return support_count(project.id)


def _supportable(actor: User, project_id: int) -> Project:
    project = public_project(project_id)
    problem = may_support(actor, project)
    if problem is not None:
        raise problem
    return project


def support_count(project_id: int) -> int:
    return db.session.scalar(select(func.count()).where(Support.project_id == project_id)) or 0


def support_counts(round_id: int) -> dict[int, int]:
    """Supports per project of a round (projects without support are left out)."""
    rows = db.session.execute(
        select(Support.project_id, func.count())
        .where(Support.round_id == round_id)
        .group_by(Support.project_id)
    )
    return {project_id: count for project_id, count in rows}


def has_supported(actor: User | None, project_id: int) -> bool:
    if actor is None:
        return False
    found = select(Support.id).where(Support.project_id == project_id, Support.user_id == actor.id)
    return db.session.scalar(found) is not None


def supported_ids(actor: User | None, round_id: int) -> set[int]:
    """The projects of a round the actor supports (for their own eyes only)."""
    if actor is None:
        return set()
    found = select(Support.project_id).where(Support.round_id == round_id, Support.user_id == actor.id)
    return set(db.session.scalars(found))


def apply_support_threshold(rnd: Round, actor: User | None) -> list[int]:
    """At the end of the proposal phase: proposals below the threshold skip review. The caller commits.

    Returns the ids of the proposals that did not get enough support; audited as "support.threshold_applied"
    with every count, so the decision can be checked later.
    """
    if rnd.support_threshold <= 0:
        return []
    counts = support_counts(rnd.id)
    waiting = [p for p in rnd.projects if p.status == ProjectStatus.SUBMITTED.value]
    below = [p for p in waiting if counts.get(p.id, 0) < rnd.support_threshold]
    for project in below:
        project.status = ProjectStatus.NOT_ENOUGH_SUPPORT.value
    record_event(
        actor,
        "support.threshold_applied",
        round_id=rnd.id,
        subject=f"round {rnd.id}: {rnd.title}"[:120],
        details={
            "threshold": rnd.support_threshold,
            "supports": {str(p.id): counts.get(p.id, 0) for p in waiting},
            "not_enough_support": [p.id for p in below],
        },
    )
    return [p.id for p in below]
