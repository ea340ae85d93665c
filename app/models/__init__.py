"""Typed SQLAlchemy models. Shape and integrity only; business rules live in services."""

from app.models.audit import AuditEvent, Notification
from app.models.ballot import Ballot, BallotChoice
from app.models.project import Project, ProjectStatus
from app.models.record import ElectionRecord, ElectionRecordChangeError
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
    "ElectionRecord",
    "ElectionRecordChangeError",
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
