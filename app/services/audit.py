"""The hash-chained audit log: append events inside the caller's transaction, verify the chain, show its head.

Each entry's `entry_hash` is SHA-256 over a canonical JSON of its content (actor, action, round, subject,
details, created_at in ISO UTC) and `prev_hash`, the hash of the entry before it (the first entry points
to GENESIS_HASH). Changing, removing or reordering an entry therefore breaks the chain from that entry on;
`verify_audit_chain` finds the first break. Removing the newest entries leaves a shorter chain that is
still whole: publishing the head hash (the results page does) lets anyone notice that too.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text

from app.extensions import db
from app.models import AuditEvent, ElectionRecord, User
from app.models.audit import GENESIS_HASH
from app.models.base import utcnow

# Key of the PostgreSQL advisory lock that serialises appends ("wijkaudt" as a 64-bit integer).
APPEND_LOCK_KEY = int.from_bytes(b"wijkaudt", "big")
VERIFY_BATCH = 1000


def record_event(
    actor: User | None,
    action: str,
    *,
    round_id: int | None = None,
    subject: str = "",
    details: dict[str, Any] | None = None,
    created_at: datetime | None = None,
) -> AuditEvent:
    """Append an audit event to the chain inside the current transaction; the calling service commits it.

    Appends are serialised: on PostgreSQL by a transaction-scoped advisory lock taken before the head is
    read (held until the caller commits or rolls back), on SQLite by its single writer. The unique
    `prev_hash` makes a fork impossible even if that lock were bypassed. Cost: one lock, one indexed
    lookup of the head, one insert. `created_at` is only for demo data that tells a past story.
    """
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPEND_LOCK_KEY})
    # The query autoflushes, so an event appended earlier in this transaction is the head.
    prev_hash = head_hash()
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        action=action,
        round_id=round_id,
        subject=subject,
        details=json.loads(_canonical(details or {})),  # store exactly what is hashed
        created_at=(created_at or utcnow()).astimezone(UTC),
        prev_hash=prev_hash or GENESIS_HASH,
    )
    event.entry_hash = entry_hash_of(event)
    session.add(event)
    return event


def entry_hash_of(event: AuditEvent) -> str:
    """SHA-256 (hex) over the canonical JSON of the entry's content and the hash before it."""
    content = {
        "actor_id": event.actor_id,
        "action": event.action,
        "round_id": event.round_id,
        "subject": event.subject,
        "details": event.details,
        "created_at": _iso_utc(event.created_at),
        "prev_hash": event.prev_hash,
    }
    return hashlib.sha256(_canonical(content).encode("utf-8")).hexdigest()


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def head_hash() -> str | None:
    """The hash of the newest entry: a fingerprint of the whole log so far (None while it is empty)."""
    return db.session.scalar(select(AuditEvent.entry_hash).order_by(AuditEvent.id.desc()).limit(1))


@dataclass(frozen=True)
class ChainProblem:
    entry_id: int | None  # the first entry that does not fit (None: the expected head is missing)
    kind: str  # "edited", "removed", "reordered" or "head_missing"
    detail: str


@dataclass(frozen=True)
class ChainReport:
    entries: int
    head: str | None
    problem: ChainProblem | None

    @property
    def intact(self) -> bool:
        return self.problem is None


def verify_audit_chain(expected_head: str | None = None) -> ChainReport:
    """Walk the log in id order and report the first entry that breaks the chain, and why.

    - "edited": the entry's content no longer gives its stored hash;
    - "reordered": its `prev_hash` names an entry that exists but is not the one before it;
    - "removed": its `prev_hash` names no entry at all (the entry before it was deleted, or rewritten);
    - "head_missing": `expected_head` (e.g. a hash once published) is not an entry of the chain, which
      is how removing the newest entries shows;
    - "truncated": the same for the head an election record pinned when its round was published.
    """
    expected_prev, count, problem = GENESIS_HASH, 0, None
    rows = db.session.scalars(
        select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=VERIFY_BATCH)
    )
    for event in rows:
        problem = _problem_with(event, expected_prev)
        if problem is not None:
            break
        expected_prev, count = event.entry_hash, count + 1
    rows.close()
    head = expected_prev if count else None
    if problem is None and expected_head is not None and not _exists(expected_head):
        problem = ChainProblem(None, "head_missing", f"no entry has the hash {expected_head}")
    if problem is None:
        problem = _pinned_head_missing()
    return ChainReport(entries=count, head=head, problem=problem)


def _pinned_head_missing() -> ChainProblem | None:
    """Every election record pins the head of the log as its publication began: that entry must still exist
    (unless it is the genesis), and so must the one chained to it (the first entry of the publication). Either
    gone means the log was cut short (or rewritten) from there on."""
    records = db.session.execute(select(ElectionRecord.round_id, ElectionRecord.record_json))
    for round_id, record_json in records:
        pinned = json.loads(record_json).get("audit", {}).get("head_at_publication")
        if pinned is None:
            continue
        known = pinned == GENESIS_HASH or _exists(pinned)
        followed = db.session.scalar(select(AuditEvent.id).where(AuditEvent.prev_hash == pinned).limit(1))
        if not known or followed is None:
            return ChainProblem(
                None,
                "truncated",
                f"the election record of round {round_id} pins entry {pinned}, which is no longer in the log",
            )
    return None


def _problem_with(event: AuditEvent, expected_prev: str) -> ChainProblem | None:
    if entry_hash_of(event) != event.entry_hash:
        return ChainProblem(event.id, "edited", "its content no longer matches its hash")
    if event.prev_hash == expected_prev:
        return None
    if _exists(event.prev_hash):
        return ChainProblem(
            event.id, "reordered", "it follows a different entry than the one it was chained to"
        )
    return ChainProblem(event.id, "removed", "the entry it was chained to is missing")


def _exists(entry_hash: str) -> bool:
    # Only asked when a link is wrong, so verifying a long intact log needs no memory per entry.
    return db.session.scalar(select(AuditEvent.id).where(AuditEvent.entry_hash == entry_hash)) is not None
