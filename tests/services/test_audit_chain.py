"""The hash-chained audit log: an intact chain verifies; an edited, removed or reordered entry is found."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import AppendOnlyError, AuditEvent, Phase, Role
from app.models.audit import GENESIS_HASH
from app.services.audit import entry_hash_of, head_hash, record_event, verify_audit_chain
from app.services.results.counting import record_count_failure
from tests.conftest import database_url_for_tests
from tests.factories import make_round, make_user

THREADS = 8
APPENDS_PER_THREAD = 5


@pytest.fixture
def ctx(app: Flask, db_session: object) -> Iterator[None]:
    with app.app_context():
        yield


def _chain(n: int = 4) -> list[int]:
    organiser = make_user(Role.ORGANISER)
    rnd = make_round(phase=Phase.REVIEW)
    ids = []
    for i in range(n):
        event = record_event(
            organiser, "round.updated", round_id=rnd.id, subject="r", details={"i": i, "é": "ü"}
        )
        db.session.commit()
        ids.append(event.id)
    return ids


def test_intact_chain_verifies_and_links_every_entry(ctx: None) -> None:
    ids = _chain()
    report = verify_audit_chain()
    assert report.intact and report.entries == len(ids)
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert events[0].prev_hash == GENESIS_HASH
    assert [e.prev_hash for e in events[1:]] == [e.entry_hash for e in events[:-1]]
    assert all(entry_hash_of(e) == e.entry_hash for e in events)
    assert report.head == head_hash() == events[-1].entry_hash


def test_empty_log_is_intact(ctx: None) -> None:
    report = verify_audit_chain()
    assert (report.intact, report.entries, report.head, head_hash()) == (True, 0, None, None)


def test_events_of_one_transaction_chain_in_order(ctx: None) -> None:
    first = record_event(None, "phase.advanced", details={"n": 1})
    second = record_event(None, "phase.advanced", details={"n": 2})
    db.session.commit()
    assert second.prev_hash == first.entry_hash
    assert verify_audit_chain().intact


@pytest.mark.parametrize(
    "change",
    [{"details": {"i": 99}}, {"subject": "anders"}, {"action": "round.created"}, {"actor_id": None}],
    ids=["details", "subject", "action", "actor"],
)
def test_edited_entry_is_detected(ctx: None, change: dict[str, object]) -> None:
    ids = _chain()
    db.session.execute(update(AuditEvent).where(AuditEvent.id == ids[1]).values(**change))
    report = verify_audit_chain()
    assert report.problem is not None
    assert (report.problem.entry_id, report.problem.kind, report.entries) == (ids[1], "edited", 1)


def test_edited_entry_with_recomputed_hash_breaks_the_next_link(ctx: None) -> None:
    ids = _chain()
    event = db.session.get(AuditEvent, ids[1])
    forged = AuditEvent(
        **{
            c: getattr(event, c)
            for c in ("actor_id", "action", "round_id", "subject", "created_at", "prev_hash")
        }
    )
    forged.details = {"i": 99}
    db.session.execute(
        update(AuditEvent)
        .where(AuditEvent.id == ids[1])
        .values(details={"i": 99}, entry_hash=entry_hash_of(forged))
    )
    report = verify_audit_chain()
    assert report.problem is not None
    assert (report.problem.entry_id, report.problem.kind) == (ids[2], "removed")


def test_removed_entry_is_detected(ctx: None) -> None:
    ids = _chain()
    db.session.execute(delete(AuditEvent).where(AuditEvent.id == ids[1]))
    report = verify_audit_chain()
    assert report.problem is not None
    assert (report.problem.entry_id, report.problem.kind) == (ids[2], "removed")


def test_reordered_entries_are_detected(ctx: None) -> None:
    ids = _chain()
    # Swap the ids of the second and third entry, so they are read in the other order.
    db.session.execute(update(AuditEvent).where(AuditEvent.id == ids[1]).values(id=-1))
    db.session.execute(update(AuditEvent).where(AuditEvent.id == ids[2]).values(id=ids[1]))
    db.session.execute(update(AuditEvent).where(AuditEvent.id == -1).values(id=ids[2]))
    report = verify_audit_chain()
    assert report.problem is not None
    assert (report.problem.entry_id, report.problem.kind) == (ids[1], "reordered")


def test_removed_newest_entries_are_found_with_the_published_head(ctx: None) -> None:
    _chain()
    published = head_hash()
    assert verify_audit_chain(expected_head=published).intact
    db.session.execute(delete(AuditEvent).where(AuditEvent.entry_hash == published))
    assert verify_audit_chain().intact  # a shorter chain is still whole...
    report = verify_audit_chain(expected_head=published)
    assert report.problem is not None and report.problem.kind == "head_missing"  # ...but the head is gone


def test_the_chain_cannot_fork(ctx: None) -> None:
    _chain(2)
    head = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    fork = AuditEvent(
        action="x", subject="", details={}, created_at=head.created_at, prev_hash=head.prev_hash
    )
    fork.entry_hash = entry_hash_of(fork)
    db.session.add(fork)
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_an_event_added_without_record_event_is_refused(ctx: None) -> None:
    db.session.add(AuditEvent(action="round.count_failed", subject="", details={}))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_orm_never_changes_or_deletes_an_entry(ctx: None) -> None:
    ids = _chain(1)
    event = db.session.get(AuditEvent, ids[0])
    event.subject = "anders"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, ids[0]))
    with pytest.raises(AppendOnlyError):
        db.session.flush()


def test_count_failure_is_chained(ctx: None) -> None:
    _chain(2)
    record_count_failure(123456, "tally_round", "boom")
    report = verify_audit_chain()
    assert report.intact and report.entries == 3
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.entry_hash == report.head)) == (
        "round.count_failed"
    )


@pytest.mark.skipif(
    not database_url_for_tests().startswith("postgresql"),
    reason="concurrent writers need PostgreSQL (SQLite has a single writer)",
)
def test_concurrent_appends_leave_one_unbroken_chain(app: Flask, committed_db: None) -> None:
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def append(worker: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                for n in range(APPENDS_PER_THREAD):
                    record_event(None, "phase.advanced", subject=f"w{worker}", details={"n": n})
                    db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=append, args=(w,)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    with app.app_context():
        report = verify_audit_chain()
        assert report.intact, report.problem
        assert report.entries == THREADS * APPENDS_PER_THREAD
        assert db.session.scalar(select(func.count(AuditEvent.id))) == THREADS * APPENDS_PER_THREAD
        db.session.remove()
