"""Registers are deleted a set number of days after publication; ballots and results stay."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    AuditEvent,
    Ballot,
    Eligibility,
    OpenRoundSeat,
    Phase,
    RegisterEntry,
    RegisterImport,
    RegisterMatch,
    Result,
    Round,
    VotingCode,
)
from app.models.base import utcnow
from app.models.freeze import seeding
from app.services.eligibility.retention import purge_registers
from tasks.registers import purge_registers as purge_task
from tests.factories import make_round, make_user

NOW = utcnow()


@pytest.fixture
def ctx(app: Flask, db_session: object) -> Iterator[None]:
    with app.test_request_context():
        yield


def published_round(days_ago: float | None, retention: int = 90) -> Round:
    rnd = make_round(
        phase=Phase.PUBLISHED, eligibility=Eligibility.LETTER_CODES.value, register_retention_days=retention
    )
    db.session.add(
        Result(
            round_id=rnd.id,
            rule="greedy",
            tie_break="default",
            total_cost_cents=0,
            ballots_counted=1,
            published_at=None if days_ago is None else NOW - timedelta(days=days_ago),
        )
    )
    voter = make_user()
    with seeding(db.session):  # the register as it was imported before voting
        entry = RegisterEntry(round_id=rnd.id, reference=f"R{rnd.id}", postcode="1234AB", house_number=1)
        db.session.add(entry)
        db.session.flush()
        db.session.add(VotingCode(round_id=rnd.id, register_entry_id=entry.id, code_hash=f"{rnd.id:064d}"))
        db.session.add(RegisterMatch(round_id=rnd.id, user_id=voter.id, register_entry_id=entry.id))
        db.session.add(RegisterImport(round_id=rnd.id, filename="r.csv", status="done", errors=[]))
        db.session.add(Ballot(round_id=rnd.id, voter_key=f"{rnd.id:064d}", receipt_code=f"RC{rnd.id}"))
        db.session.add(
            OpenRoundSeat(round_id=rnd.id, person_key="p" * 64, slot=1, voter_key=f"{rnd.id:064d}")
        )
        db.session.commit()
    return rnd


def count(model: type, rnd: Round) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(model.round_id == rnd.id))  # type: ignore[attr-defined]


REGISTER_TABLES = (RegisterEntry, VotingCode, RegisterMatch, RegisterImport, OpenRoundSeat)


def test_a_register_past_its_retention_is_deleted_and_ballots_stay(ctx: None) -> None:
    due = published_round(days_ago=91)
    assert purge_registers(NOW) == [due.id]
    for model in REGISTER_TABLES:
        assert count(model, due) == 0, model
    assert count(Ballot, due) == 1
    assert db.session.scalar(select(Result).where(Result.round_id == due.id)) is not None
    assert db.session.get(Round, due.id).register_deleted_at == NOW
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "register.purged")).one()
    assert (event.round_id, event.details["entries"], event.details["codes"]) == (due.id, 1, 1)
    assert (event.details["matches"], event.details["imports"], event.actor_id) == (1, 1, None)
    assert event.details["open_round_seats"] == 1


def test_registers_within_retention_or_unpublished_stay(ctx: None) -> None:
    recent = published_round(days_ago=89)
    short = published_round(days_ago=8, retention=7)
    unpublished = published_round(days_ago=None)  # counted, not yet published
    assert purge_registers(NOW) == [short.id]
    for rnd in (recent, unpublished):
        assert all(count(model, rnd) == 1 for model in REGISTER_TABLES)
        assert db.session.get(Round, rnd.id).register_deleted_at is None


def test_purging_twice_changes_nothing_more(ctx: None) -> None:
    due = published_round(days_ago=100)
    assert purge_registers(NOW) == [due.id]
    assert purge_registers(NOW + timedelta(days=1)) == []
    assert db.session.get(Round, due.id).register_deleted_at == NOW
    assert db.session.query(AuditEvent).filter_by(action="register.purged").count() == 1


def test_the_beat_task_takes_now_as_iso_text(ctx: None) -> None:
    due = published_round(days_ago=30, retention=60)
    assert purge_task(NOW.isoformat()) == []
    assert purge_task((NOW + timedelta(days=31)).isoformat()) == [due.id]


def test_the_minute_sweep_runs_the_purge(ctx: None) -> None:
    from tasks.sweep import sweep_due_work

    due = published_round(days_ago=100)
    assert sweep_due_work()["registers_purged"] == 1
    assert db.session.query(RegisterEntry).filter_by(round_id=due.id).count() == 0


def test_letters_never_downloaded_are_deleted_with_the_register(ctx: None) -> None:
    from app.models import CodeBatch
    from app.services.codes.batches import batch_file, batch_folder

    rnd = published_round(days_ago=100)
    with seeding(db.session):
        batch = CodeBatch(round_id=rnd.id, status="done")
        db.session.add(batch)
        db.session.commit()
    batch_folder(batch.id).mkdir(parents=True, exist_ok=True)
    batch_file(batch.id, "pdf").write_text("codes and addresses")
    purge_registers(NOW)
    assert not batch_folder(batch.id).exists()
