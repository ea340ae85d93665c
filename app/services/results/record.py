"""The election record of a published round: written once with the publication, then only read.

The files themselves are built by `app.services.results.record_files` (see there for what the SHA-256 covers).
"""

from __future__ import annotations

import json

from sqlalchemy import select

from app.extensions import db
from app.models import ElectionRecord, Result, Round
from app.services.errors import NotFound, RuleViolation
from app.services.results.election import LoadedRound, load_round
from app.services.results.record_files import RecordFiles, build_record_files
from app.translated import lazy_gettext as _l


def write_record(
    rnd: Round, result: Result, loaded: LoadedRound | None = None, *, audit_head: str | None = None
) -> ElectionRecord:
    """Store the round's election record inside the caller's (publishing) transaction; no commit.

    Rule: one record per round (UNIQUE round_id), never changed afterwards. If the round already has a
    record it is returned unchanged, so a repaired or repeated publication cannot write a second one.
    """
    existing = record_of(rnd.id)
    if existing is not None:
        return existing
    loaded = loaded or load_round(rnd)  # the count's own load when publishing counted just now
    files = build_record_files(rnd, result, loaded, audit_head=audit_head)
    record = ElectionRecord(
        round_id=rnd.id,
        pb_text=files.pb,
        part_pb_texts=files.part_pbs,
        csv_text=files.csv,
        record_json=files.json,
        record_sha256=files.sha256,
    )
    db.session.add(record)
    db.session.flush()
    return record


def rebuild_record_files(round_id: int) -> RecordFiles:
    """Build the record files again from the database, without storing them (for checks and tests).

    Raises NotFound when the round or its count does not exist.
    """
    rnd = db.session.get(Round, round_id)
    result = db.session.scalar(select(Result).where(Result.round_id == round_id))
    if rnd is None or result is None:
        raise NotFound(_l("The result of this round has not been published yet."))
    return build_record_files(rnd, result, load_round(rnd), audit_head=pinned_audit_head(round_id))


def pinned_audit_head(round_id: int) -> str | None:
    """The audit head the round's stored record pins (None before publication or in an older record)."""
    record = record_of(round_id)
    if record is None:
        return None
    pinned = json.loads(record.record_json).get("audit", {}).get("head_at_publication")
    return str(pinned) if pinned is not None else None


def record_of(round_id: int) -> ElectionRecord | None:
    return db.session.scalar(select(ElectionRecord).where(ElectionRecord.round_id == round_id))


def published_record(round_id: int) -> ElectionRecord:
    """The stored record of a published round.

    NotFound when the round does not exist or is not published; RuleViolation when it was published
    without a record (only possible for data from before records existed).
    """
    row = db.session.execute(
        select(Round.id, Result.published_at, ElectionRecord)
        .outerjoin(Result, Result.round_id == Round.id)
        .outerjoin(ElectionRecord, ElectionRecord.round_id == Round.id)
        .where(Round.id == round_id)
    ).first()
    if row is None:
        raise NotFound(_l("This round does not exist."))
    if row.published_at is None:
        raise NotFound(_l("The result of this round has not been published yet."))
    if row.ElectionRecord is None:
        raise RuleViolation(_l("This round was published before election records existed; it has none."))
    record: ElectionRecord = row.ElectionRecord
    return record


def published_record_sha256(round_id: int) -> str | None:
    """The SHA-256 of a published round's record (without loading the files), or None if it has none."""
    return db.session.scalar(
        select(ElectionRecord.record_sha256)
        .join(Result, Result.round_id == ElectionRecord.round_id)
        .where(ElectionRecord.round_id == round_id, Result.published_at.is_not(None))
    )


def published_eligible_voters(round_id: int) -> int | None:
    """How many residents could vote, as the record fixed it at publication (the register itself is deleted
    later); None for an open round, a round without a record, or a register that was empty."""
    record_json = db.session.scalar(
        select(ElectionRecord.record_json).where(ElectionRecord.round_id == round_id)
    )
    if record_json is None:
        return None
    count = json.loads(record_json).get("manifest", {}).get("eligible_voters")
    return count if isinstance(count, int) and count > 0 else None
