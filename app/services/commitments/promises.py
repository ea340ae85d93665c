"""Commitments (toezeggingen): every winner of a published round is a public promise to deliver it.

Rules:
- Publishing a round creates one commitment per winner in the same transaction (`create_commitments`):
  status "planned", budget = the project's cost, delivery planned COMMITMENT_DELIVERY_MONTHS (default 12)
  months after publication, the responsible department still empty (pages say "the municipality").
- Organisers set the responsible department and professional and the planned date. A moved date needs a
  public reason and is kept as a PlannedDateChange: a date is never moved silently.
- A dropped commitment (see `winner_drops`) can no longer be changed.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.local_time import local_date
from app.models import (
    Commitment,
    CommitmentStatus,
    PlannedDateChange,
    Project,
    Role,
    Round,
    User,
    WinnerDrop,
)
from app.models.base import utcnow
from app.services.audit import record_event
from app.services.errors import NotAllowed, NotFound, RuleViolation
from app.services.proposals.submissions import MAX_ID
from app.translated import lazy_gettext as _l
from app.typed_text import multi_line, one_line

DEFAULT_DELIVERY_MONTHS = 12
DEPARTMENT_MAX = 200
REASON_MAX = 4000


def add_months(day: date, months: int) -> date:
    """`day` plus whole months; the 31st becomes the last day of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def default_delivery_date(published_at: datetime) -> date:
    months = int(current_app.config.get("COMMITMENT_DELIVERY_MONTHS", DEFAULT_DELIVERY_MONTHS))
    return add_months(local_date(published_at), months)


def create_commitments(
    rnd: Round,
    project_ids: Sequence[int],
    *,
    now: datetime,
    added_by: WinnerDrop | None = None,
    amounts: Mapping[int, int] | None = None,
) -> list[Commitment]:
    """Add a planned commitment for every listed project that has none yet; inside the caller's transaction.

    The budget is the project's cost, or its entry in `amounts` (a project the leftover step funded in part
    is promised that part). Idempotent (a project keeps its one commitment: UNIQUE project). Returns the
    commitments it added.
    """
    existing = set(
        db.session.scalars(select(Commitment.project_id).where(Commitment.project_id.in_(project_ids)))
    )
    projects = {p.id: p for p in db.session.scalars(select(Project).where(Project.id.in_(project_ids)))}
    added = []
    for project_id in project_ids:
        if project_id in existing:
            continue
        commitment = Commitment(
            project_id=project_id,
            round_id=rnd.id,
            responsible_department="",
            planned_delivery_on=default_delivery_date(now),
            budget_cents=(amounts or {}).get(project_id, projects[project_id].cost_cents),
            status=CommitmentStatus.PLANNED.value,
            added_by_drop=added_by,
        )
        db.session.add(commitment)
        added.append(commitment)
    db.session.flush()
    return added


def update_commitment(
    actor: User,
    commitment_id: int,
    *,
    department: str,
    responsible_user_id: int | None,
    planned_delivery_on: date | None,
    date_reason: str = "",
) -> Commitment:
    """An organiser names who delivers and by when. Audited as "commitment.updated".

    Rules: organisers only; not for a dropped commitment; the responsible user, when given, is a
    professional; a moved date needs a public reason (kept as a PlannedDateChange). A date moved to today or
    later clears the overdue flag; the move and its reason stay public.
    """
    if not actor.has_role(Role.ORGANISER):
        raise NotAllowed(_l("Only organisers can change who delivers a project and when."))
    commitment = lock_commitment(commitment_id)
    department, date_reason = one_line(department), multi_line(date_reason)
    new_date = planned_delivery_on or commitment.planned_delivery_on
    _check_update(commitment, department, responsible_user_id, new_date, date_reason)
    before = _settings(commitment)
    if new_date != commitment.planned_delivery_on:
        _move_date(commitment, actor, new_date, date_reason)
    commitment.responsible_department = department
    commitment.responsible_user_id = responsible_user_id
    record_event(
        actor,
        "commitment.updated",
        round_id=commitment.round_id,
        subject=subject(commitment),
        details={"before": before, "after": _settings(commitment), "date_reason": date_reason},
    )
    db.session.commit()
    return commitment


def _check_update(
    commitment: Commitment, department: str, responsible_user_id: int | None, new_date: date, reason: str
) -> None:
    refuse_if_dropped(commitment)
    if len(department) > DEPARTMENT_MAX:
        raise RuleViolation(_l("Use at most %(n)d characters.", n=DEPARTMENT_MAX), field="department")
    if responsible_user_id is not None:
        user = db.session.get(User, responsible_user_id) if 0 < responsible_user_id <= MAX_ID else None
        if user is None or not user.has_role(Role.PROFESSIONAL):
            raise RuleViolation(_l("Choose a professional."), field="responsible_user_id")
    if new_date != commitment.planned_delivery_on and not reason:
        raise RuleViolation(
            _l("Explain why the delivery date moves. Residents will see this reason."), field="date_reason"
        )
    if len(reason) > REASON_MAX:
        raise RuleViolation(_l("Use at most %(n)d characters.", n=REASON_MAX), field="date_reason")


def _move_date(commitment: Commitment, actor: User, new_date: date, reason: str) -> None:
    db.session.add(
        PlannedDateChange(
            commitment_id=commitment.id,
            old_date=commitment.planned_delivery_on,
            new_date=new_date,
            reason=reason,
            actor_id=actor.id,
        )
    )
    commitment.planned_delivery_on = new_date
    if new_date >= local_date(utcnow()):
        commitment.overdue_since = None


def _settings(commitment: Commitment) -> dict[str, object]:
    return {
        "department": commitment.responsible_department,
        "responsible_user_id": commitment.responsible_user_id,
        "planned_delivery_on": commitment.planned_delivery_on.isoformat(),
    }


def refuse_if_dropped(commitment: Commitment) -> None:
    if commitment.status == CommitmentStatus.DROPPED.value:
        raise RuleViolation(_l("This project has been dropped; its commitment can no longer change."))


def lock_commitment(commitment_id: int) -> Commitment:
    """The commitment, its row locked until the transaction ends; NotFound if it does not exist."""
    commitment = None
    if 0 < commitment_id <= MAX_ID:
        commitment = db.session.scalar(
            select(Commitment)
            .where(Commitment.id == commitment_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    if commitment is None:
        raise NotFound(_l("This commitment does not exist."))
    return commitment


def get_commitment(commitment_id: int) -> Commitment:
    commitment = db.session.get(Commitment, commitment_id) if 0 < commitment_id <= MAX_ID else None
    if commitment is None:
        raise NotFound(_l("This commitment does not exist."))
    return commitment


def commitment_of_project(project_id: int) -> Commitment | None:
    return db.session.scalar(
        select(Commitment)
        .where(Commitment.project_id == project_id)
        .options(
            selectinload(Commitment.updates),
            selectinload(Commitment.date_changes),
            selectinload(Commitment.feedback),
        )
    )


def round_commitments(round_id: int) -> list[Commitment]:
    """The round's commitments: the original winners in result order, then those added after a drop."""
    return list(
        db.session.scalars(
            select(Commitment)
            .where(Commitment.round_id == round_id)
            .options(selectinload(Commitment.project), selectinload(Commitment.updates))
            .order_by(Commitment.added_by_drop_id.is_not(None), Commitment.added_by_drop_id, Commitment.id)
        )
    )


def professionals() -> list[User]:
    """Users who can be named responsible for delivering a project."""
    return list(
        db.session.scalars(
            select(User).where(User.role.in_((Role.PROFESSIONAL.value, Role.ADMIN.value))).order_by(User.name)
        )
    )


def subject(commitment: Commitment) -> str:
    return f"commitment {commitment.id}: project {commitment.project_id}"[:120]
