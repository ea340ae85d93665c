from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, event, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class PublishedResultError(RuntimeError):
    """Raised when anything tries to change or delete a published result."""


class Result(db.Model):  # type: ignore[name-defined,misc]
    """The count of a round. Hidden until `published_at` is set; immutable after that."""

    __tablename__ = "results"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="RESTRICT"), unique=True)
    rule: Mapped[str] = mapped_column(String(40))
    tie_break: Mapped[str] = mapped_column(String(20))
    tie_break_detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Per project: {"project_id", "votes", "cost_cents", "selected", "explanation": {...}}, in ranking order.
    project_results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Winners in every part, in order; a project the leftover step funded in part is one of them.
    selected_project_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # One entry per part of the ballot (the whole wijk's, then each buurt with its own budget): its budget,
    # ballots, winners, money used, tie-break detail and leftover step (see results.counting).
    parts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Money given to projects, in all parts together (partial funding included).
    total_cost_cents: Mapped[int] = mapped_column(Integer)
    ballots_counted: Mapped[int] = mapped_column(Integer)
    # Ballots left out because the voter turned out not to be eligible (a register match was rejected).
    ballots_rejected: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_published_results(session: Session, flush_context: Any, instances: Any) -> None:
    """A published result is the residents' decision: nobody may edit or delete it."""
    for obj in list(session.dirty) + list(session.deleted):
        if not isinstance(obj, Result) or not session.is_modified(obj) and obj not in session.deleted:
            continue
        # load_history() also sees the stored value of an expired (just committed) instance.
        committed = db.inspect(obj).attrs.published_at.load_history()
        was_published = (committed.unchanged or committed.deleted or [None])[0] is not None
        if was_published:
            raise PublishedResultError(f"result of round {obj.round_id} is published and cannot change")
