"""What became of a project once its round's result is public: chosen (and delivered, or dropped) or not."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import select

from app.extensions import db
from app.models import Commitment, CommitmentStatus, Phase, Project, ProjectStatus, Result


class Outcome(StrEnum):
    CHOSEN = "chosen"
    DELIVERED = "delivered"
    DROPPED = "dropped"
    NOT_CHOSEN = "not_chosen"


def project_outcome(project: Project) -> Outcome | None:
    """The outcome of a project that was on the ballot of a published round; None before publication or for a
    project that never reached the ballot (its review status says enough)."""
    if project.round.phase != Phase.PUBLISHED.value or project.status != ProjectStatus.FEASIBLE.value:
        return None
    selected = db.session.scalar(
        select(Result.selected_project_ids).where(Result.round_id == project.round_id)
    )
    if project.id not in (selected or ()):
        return Outcome.NOT_CHOSEN
    status = db.session.scalar(select(Commitment.status).where(Commitment.project_id == project.id))
    if status == CommitmentStatus.DELIVERED.value:
        return Outcome.DELIVERED
    if status == CommitmentStatus.DROPPED.value:
        return Outcome.DROPPED
    return Outcome.CHOSEN
