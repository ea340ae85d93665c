"""The register import task, run in-process (eager) as the embedded default runs it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from celery import Task
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.models import Eligibility, RegisterEntry, RegisterImport, Role
from app.services.eligibility import registers
from app.services.eligibility.registers import start_register_import
from app.services.jobs import enqueue_job
from tasks import relay
from tasks.broker import celery_for
from tests.factories import make_round, make_user
from tests.tasks.outbox_support import jobs_named, make_due

HEADER = "referentie;postcode;huisnummer\n"


@pytest.fixture
def ctx(app: Flask, db_session: object) -> Iterator[None]:
    with app.test_request_context():
        yield


def _task(app: Flask) -> Task:
    return celery_for(app).tasks["wijkbudget.import_register"]


def _queued(n: int) -> RegisterImport:
    rnd = make_round(eligibility=Eligibility.LETTER_CODES.value)
    text = HEADER + "".join(f"R{i};1234AB;{i}\n" for i in range(1, n + 1)) + "X;0000AA;1\n"
    return start_register_import(make_user(Role.ORGANISER), rnd.id, "r.csv", text, in_background=False)


def test_task_options(app: Flask) -> None:
    task = _task(app)
    assert task.name == "wijkbudget.import_register"
    assert (task.soft_time_limit, task.time_limit, task.acks_late) == (600, 660, True)
    assert "wijkbudget.purge_registers" in celery_for(app).tasks


def test_the_task_imports_and_a_second_run_changes_nothing(app: Flask, ctx: None) -> None:
    job = _queued(12)
    outcome = _task(app).apply(args=(job.id,)).get()
    assert outcome == {"status": "done", "imported": 12, "rejected": 1}
    again = _task(app).apply(args=(job.id,)).get()
    assert again == outcome
    assert db.session.scalar(select(func.count()).select_from(RegisterEntry)) == 12


def test_a_task_that_gives_up_leaves_a_failed_import(
    app: Flask, ctx: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = _queued(3)
    calls = {"n": 0}

    def database_down(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(registers, "process_register_import", database_down)
    enqueue_job("wijkbudget.import_register", job.id, round_id=job.round_id)
    db.session.commit()  # the first attempt: a transient failure is retried later
    (outbox_job,) = jobs_named("wijkbudget.import_register")
    assert outbox_job.state == "pending" and "connection refused" in outbox_job.failure
    assert db.session.get(RegisterImport, job.id).status == "queued"
    for _ in range(4):  # the sweep hands it over each time its pause is over, until the last attempt
        make_due(outbox_job.id)
        relay.hand_over_due()
    assert calls["n"] == 5
    (outbox_job,) = jobs_named("wijkbudget.import_register")
    assert outbox_job.state == "failed" and "gave up after 5 attempts" in outbox_job.failure
    failed = db.session.get(RegisterImport, job.id)
    assert (failed.status, failed.failure, failed.source) == ("failed", "gave_up", None)


def test_an_unexpected_error_fails_the_import_at_once(
    app: Flask, ctx: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = _queued(3)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("bug")

    monkeypatch.setattr(registers, "process_register_import", broken)
    enqueue_job("wijkbudget.import_register", job.id, round_id=job.round_id)
    db.session.commit()
    (outbox_job,) = jobs_named("wijkbudget.import_register")
    assert (outbox_job.state, outbox_job.attempts) == ("failed", 1) and "KeyError" in outbox_job.failure
    assert db.session.get(RegisterImport, job.id).failure == "gave_up"
