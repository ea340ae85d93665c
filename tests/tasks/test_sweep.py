"""The due-work sweep: the same steps in beat and in `wijkbudget run`, each on its own, each idempotent."""

from __future__ import annotations

import threading

import pytest
from flask import Flask

from app.extensions import db
from app.models import AuditEvent, Phase, Round
from app.services.rounds import phases
from tasks import sweep as sweep_module
from tasks.broker import celery_for
from tasks.sweep import start_in_process_sweeper, sweep_due_work
from tests.factories import make_round, phase_dates


def test_the_sweep_moves_a_due_round(app: Flask, db_session: object) -> None:
    due = make_round(phase=Phase.DRAFT, **phase_dates(Phase.PROPOSALS))
    not_due = make_round(phase=Phase.DRAFT)
    assert sweep_due_work()["rounds_moved"] == 1
    db.session.expire_all()
    assert db.session.get(Round, due.id).phase == "proposals"
    assert db.session.get(Round, not_due.id).phase == "draft"
    event = db.session.query(AuditEvent).filter_by(round_id=due.id).one()
    assert event.details == {"from": "draft", "to": "proposals", "by": "date"}


def test_the_sweep_is_idempotent(app: Flask, db_session: object) -> None:
    make_round(phase=Phase.VOTING, **phase_dates(Phase.CLOSED))
    assert sweep_due_work()["rounds_moved"] == 1
    assert sweep_due_work()["rounds_moved"] == 0


def test_a_failing_step_does_not_hold_up_the_others(
    app: Flask, db_session: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> list[int]:
        raise RuntimeError("the purge is broken")

    monkeypatch.setattr(sweep_module.retention, "purge_registers", broken)
    make_round(phase=Phase.DRAFT, **phase_dates(Phase.PROPOSALS))
    done = sweep_due_work()
    assert done["registers_purged"] == -1
    assert done["rounds_moved"] == 1


def test_beat_runs_the_sweep_task(app: Flask, db_session: object) -> None:
    make_round(phase=Phase.DRAFT, **phase_dates(Phase.PROPOSALS))
    task = celery_for(app).tasks["wijkbudget.sweep"]
    assert task.apply().get()["rounds_moved"] == 1


def test_the_embedded_default_sweeps_in_a_thread_of_its_own(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    swept = threading.Event()
    monkeypatch.setattr(sweep_module, "sweep_due_work", swept.set)
    sweeper = start_in_process_sweeper(app, interval=0.05)
    try:
        assert sweeper.thread.daemon
        assert swept.wait(10), "the in-process sweeper never ran"
    finally:
        sweeper.stop()
    assert not sweeper.thread.is_alive()


def test_phase_requests_write_their_job_in_the_same_transaction(app: Flask, db_session: object) -> None:
    from app.models import OutboxJob, Role
    from tests.factories import make_user
    from tests.tasks.outbox_support import jobs_named

    closed = make_round(phase=Phase.CLOSED)
    with pytest.raises(Exception):  # noqa: B017 - a refusal rolls back: no job either
        phases.request_count(make_user(Role.RESIDENT), closed.id)
    assert db.session.query(OutboxJob).count() == 0
    phases.request_count(make_user(Role.ORGANISER), closed.id)
    (job,) = jobs_named("wijkbudget.tally_round")
    assert (job.args, job.round_id, job.state) == ([closed.id], closed.id, "done")
