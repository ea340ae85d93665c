"""Typed SQLAlchemy models. Shape and integrity only; business rules live in services."""

from app.models.amendment import Amendment
from app.models.append_only import AppendOnlyError
from app.models.audit import AuditEvent, Notification
from app.models.ballot import Ballot, BallotChoice, BallotStatus
from app.models.commitment import (
    Commitment,
    CommitmentStatus,
    DeliveryFeedback,
    FeedbackKind,
    PlannedDateChange,
    ProgressUpdate,
    WinnerDrop,
)
from app.models.eligibility import (
    BallotChannel,
    CodeBatch,
    CodeIssue,
    CodeStatus,
    Eligibility,
    JobStatus,
    MatchStatus,
    RegisterEntry,
    RegisterImport,
    RegisterLevel,
    RegisterMatch,
    VotingCode,
)
from app.models.freeze import FrozenRoundError, FrozenWijkError
from app.models.mail import EmailStatus, OutgoingEmail, ResultSubscription
from app.models.open_seat import OpenRoundSeat
from app.models.outbox import OutboxJob, OutboxState
from app.models.paper import LocationKind, PaperEntry, PaperEntryStatus, PollingLocation
from app.models.project import Project, ProjectStatus
from app.models.record import ElectionRecord, ElectionRecordChangeError
from app.models.result import PublishedResultError, Result
from app.models.round import BallotType, LeftoverPolicy, Phase, Round, RoundBuurtBudget, RoundCap, TieBreak
from app.models.user import Role, User
from app.models.wijk import Buurt, Wijk

__all__ = [
    "Amendment",
    "AppendOnlyError",
    "AuditEvent",
    "Ballot",
    "BallotChannel",
    "BallotChoice",
    "BallotStatus",
    "BallotType",
    "Buurt",
    "CodeBatch",
    "CodeIssue",
    "CodeStatus",
    "Commitment",
    "CommitmentStatus",
    "DeliveryFeedback",
    "ElectionRecord",
    "ElectionRecordChangeError",
    "Eligibility",
    "EmailStatus",
    "FeedbackKind",
    "FrozenRoundError",
    "FrozenWijkError",
    "JobStatus",
    "LeftoverPolicy",
    "LocationKind",
    "MatchStatus",
    "Notification",
    "OpenRoundSeat",
    "OutboxJob",
    "OutboxState",
    "OutgoingEmail",
    "PaperEntry",
    "PaperEntryStatus",
    "Phase",
    "PlannedDateChange",
    "PollingLocation",
    "ProgressUpdate",
    "Project",
    "ProjectStatus",
    "PublishedResultError",
    "RegisterEntry",
    "RegisterImport",
    "RegisterLevel",
    "RegisterMatch",
    "Result",
    "ResultSubscription",
    "Role",
    "Round",
    "RoundBuurtBudget",
    "RoundCap",
    "TieBreak",
    "User",
    "VotingCode",
    "Wijk",
    "WinnerDrop",
]
