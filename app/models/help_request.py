from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.project import Project
    from app.models.user import User


class HelpTopic(enum.StrEnum):
    COST_ESTIMATE = "cost_estimate"
    PERMIT = "permit"
    VOLUNTEERS = "volunteers"
    WORDING = "wording"


class HelpStatus(enum.StrEnum):
    OPEN = "open"  # waits for a professional
    PICKED_UP = "picked_up"  # a professional helps
    ANSWERED = "answered"


class HelpRequest(db.Model):  # type: ignore[name-defined,misc]
    """A resident asks the professionals of the wijk for help with their proposal. Never public."""

    __tablename__ = "help_requests"
    __table_args__ = (
        CheckConstraint(f"topic IN {tuple(t.value for t in HelpTopic)!r}", name="topic_known"),
        CheckConstraint(f"status IN {tuple(s.value for s in HelpStatus)!r}", name="status_known"),
        CheckConstraint("length(question) BETWEEN 1 AND 2000", name="question_length"),
        CheckConstraint("status = 'open' OR helper_id IS NOT NULL", name="picked_up_has_helper"),
        CheckConstraint(
            "status <> 'answered' OR length(coalesce(answer, '')) > 0", name="answered_has_answer"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    asker_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(20))
    question: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=HelpStatus.OPEN.value, index=True)
    helper_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    picked_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    project: Mapped[Project] = relationship()
    asker: Mapped[User] = relationship(foreign_keys=[asker_id])
    helper: Mapped[User | None] = relationship(foreign_keys=[helper_id])
