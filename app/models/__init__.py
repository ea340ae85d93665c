"""Typed SQLAlchemy models. Shape and integrity only; business rules live in services."""

from app.models.audit import AuditEvent, Notification
from app.models.ballot import Ballot, BallotChoice
from app.models.commitment import (
    Commitment,
    CommitmentStatus,
    DeliveryFeedback,
    FeedbackKind,
    PlannedDateChange,
    ProgressUpdate,
    WinnerDrop,
)
from app.models.project import Project, ProjectStatus
from app.models.result import PublishedResultError, Result
from app.models.round import BallotType, LeftoverPolicy, Phase, Round, TieBreak
from app.models.user import Role, User
from app.models.wijk import Buurt, Wijk

__all__ = [
    "AuditEvent",
    "Ballot",
    "BallotChoice",
    "BallotType",
    "Buurt",
    "Commitment",
    "CommitmentStatus",
    "DeliveryFeedback",
    "FeedbackKind",
    "LeftoverPolicy",
    "Notification",
    "Phase",
    "PlannedDateChange",
    "ProgressUpdate",
    "Project",
    "ProjectStatus",
    "PublishedResultError",
    "Result",
    "Role",
    "Round",
    "TieBreak",
    "User",
    "Wijk",
    "WinnerDrop",
]
