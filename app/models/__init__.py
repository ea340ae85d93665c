"""Typed SQLAlchemy models. Shape and integrity only; business rules live in services."""

from app.models.amendment import Amendment
from app.models.append_only import AppendOnlyError
from app.models.audit import AuditEvent, Notification
from app.models.ballot import Ballot, BallotChoice
from app.models.freeze import FrozenRoundError
from app.models.project import Project, ProjectStatus
from app.models.result import PublishedResultError, Result
from app.models.round import BallotType, LeftoverPolicy, Phase, Round, TieBreak
from app.models.user import Role, User
from app.models.wijk import Buurt, Wijk

__all__ = [
    "Amendment",
    "AppendOnlyError",
    "AuditEvent",
    "Ballot",
    "BallotChoice",
    "BallotType",
    "Buurt",
    "FrozenRoundError",
    "LeftoverPolicy",
    "Notification",
    "Phase",
    "Project",
    "ProjectStatus",
    "PublishedResultError",
    "Result",
    "Role",
    "Round",
    "TieBreak",
    "User",
    "Wijk",
]
