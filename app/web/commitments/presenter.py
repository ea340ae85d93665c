"""What the public pages show about commitments: a project's delivery timeline and the changes to a round's
winners after publication. Offered to every template (`commitment_panel`, `winner_changes`) so the shared
project and results templates need only one include line each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.models import (
    Commitment,
    DeliveryFeedback,
    PlannedDateChange,
    ProgressUpdate,
    Project,
    User,
    WinnerDrop,
)
from app.services.commitments import promises as commitments
from app.services.commitments.feedback import may_give_feedback
from app.services.errors import RuleViolation
from app.services.results import drops as winner_drops


@dataclass(frozen=True)
class TimelineEntry:
    """One step on a commitment's public timeline: a progress update or a moved date."""

    at: datetime
    update: ProgressUpdate | None = None
    date_change: PlannedDateChange | None = None


@dataclass(frozen=True)
class FeedbackLine:
    feedback: DeliveryFeedback
    by_proposer: bool


@dataclass(frozen=True)
class DropView:
    """A winner dropped after publication, with its reason and the projects the rule added instead."""

    drop: WinnerDrop
    dropped_title: str
    added: list[tuple[int, str]]
    kept_not_rechosen: list[str]


@dataclass(frozen=True)
class CommitmentPanel:
    commitment: Commitment
    timeline: list[TimelineEntry]
    feedback: list[FeedbackLine]
    dropped: DropView | None  # this project was dropped
    added_by: DropView | None  # this project was added when another winner was dropped
    feedback_refusal: RuleViolation | None


def commitment_panel(project: Project, user: User | None) -> CommitmentPanel | None:
    """The delivery panel of a project page, or None for a project that is not (or was never) a winner."""
    commitment = commitments.commitment_of_project(project.id)
    if commitment is None:
        return None
    timeline = [TimelineEntry(at=u.created_at, update=u) for u in commitment.updates]
    timeline += [TimelineEntry(at=c.created_at, date_change=c) for c in commitment.date_changes]
    timeline.sort(key=lambda entry: entry.at)
    own_drop = winner_drops.drop_of_project(project.id)
    return CommitmentPanel(
        commitment=commitment,
        timeline=timeline,
        feedback=[FeedbackLine(f, f.resident_id == project.author_id) for f in commitment.feedback],
        dropped=drop_view(own_drop) if own_drop else None,
        added_by=drop_view(commitment.added_by_drop) if commitment.added_by_drop else None,
        feedback_refusal=may_give_feedback(user, commitment),
    )


def winner_changes(round_id: int) -> list[DropView]:
    """Every drop of the round, oldest first, for the results page's "changes after publication"."""
    return [drop_view(drop) for drop in winner_drops.round_drops(round_id)]


def drop_view(drop: WinnerDrop) -> DropView:
    kept = drop.rerun.get("kept_winners_not_rechosen") or []
    titles = winner_drops.project_titles([drop.project_id, *drop.added_project_ids, *kept])
    return DropView(
        drop=drop,
        dropped_title=titles.get(drop.project_id, str(drop.project_id)),
        added=[(pid, titles.get(pid, str(pid))) for pid in drop.added_project_ids],
        kept_not_rechosen=[titles.get(pid, str(pid)) for pid in kept],
    )
