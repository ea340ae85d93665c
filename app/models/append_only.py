"""Records that are only ever appended (audit events, amendments): the ORM refuses to change or delete them.

The audit chain's hashes detect a change made outside the ORM; this catches the honest mistake early.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

_APPEND_ONLY: set[type] = set()


class AppendOnlyError(RuntimeError):
    """Raised at flush time when something tries to change or delete an append-only record."""


def append_only(model: type) -> None:
    _APPEND_ONLY.add(model)


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_append_only(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if type(obj) in _APPEND_ONLY and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyError(f"{type(obj).__name__} records are never changed or deleted")
