"""The counting and publication tasks, run in-process (eager), as the embedded default runs them."""

from __future__ import annotations

import pytest
from celery import Task
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.models import AuditEvent, Phase, Result, Round
from app.services.errors import RuleViolation
from app.services.jobs import enqueue_job
from app.services.results import counting as counting_service
from tasks import relay
from tasks.base import JobTask
from tasks.broker import celery_for
from tests.factories import make_project, make_round
from tests.results_data import cast_votes, realistic_round
from tests.tasks.outbox_support import jobs_named, make_due


def _task(app: Flask, name: str) -> Task:
    return celery_for(app).tasks[name]


def _actions(round_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.round_id == round_id).order_by(AuditEvent.id)
        )
    )


def test_tasks_run_in_process_in_tests_and_the_embedded_default(app: Flask) -> None:
    conf = celery_for(app).conf
    assert conf.task_always_eager is True
    assert conf.task_serializer == "json"


def test_task_options_names_retries_and_time_limits(app: Flask) -> None:
    for name in ("wijkbudget.tally_round", "wijkbudget.publish_round"):
        task = _task(app, name)
        assert task.name == name
        assert isinstance(task, JobTask)  # the one retry policy
        assert OperationalError in task.transient_errors
        assert task.max_attempts == 5
        assert task.backoff_base > 0 and task.backoff_cap >= task.backoff_base
        assert task.soft_time_limit == 600 and task.time_limit == 660
        assert task.acks_late is True


def test_tally_task_counts_and_keeps_the_result_hidden(app: Flask, db_session) -> None:
    data = realistic_round()
    result_id = _task(app, "wijkbudget.tally_round").apply(args=(data.round.id,)).get()
    result = db.session.get(Result, result_id)
    assert result.round_id == data.round.id
    assert result.published_at is None
    assert result.selected_project_ids == [p.id for p in data.winners]
    again = _task(app, "wijkbudget.tally_round").apply(args=(data.round.id,)).get()
    assert again == result_id
    assert db.session.get(Round, data.round.id).phase == Phase.CLOSED.value


def test_publish_task_is_idempotent(app: Flask, db_session) -> None:
    data = realistic_round()
    task = _task(app, "wijkbudget.publish_round")
    first = task.apply(args=(data.round.id,)).get()
    published_at = db.session.get(Result, first).published_at
    second = task.apply(args=(data.round.id, None)).get()
    assert second == first
    assert db.session.get(Result, first).published_at == published_at
    assert db.session.get(Round, data.round.id).phase == Phase.PUBLISHED.value
    assert _actions(data.round.id) == ["round.counted", "round.published"]


def test_tally_after_publication_is_a_no_op(app: Flask, db_session) -> None:
    data = realistic_round()
    published = _task(app, "wijkbudget.publish_round").apply(args=(data.round.id,)).get()
    assert _task(app, "wijkbudget.tally_round").apply(args=(data.round.id,)).get() == published
    assert _actions(data.round.id) == ["round.counted", "round.published"]


def test_refused_task_fails_visibly(app: Flask, db_session) -> None:
    rnd = make_round(phase=Phase.VOTING)
    cast_votes(rnd, {make_project(rnd): 2})
    with pytest.raises(RuleViolation):  # called directly (the command line, a test), it raises
        _task(app, "wijkbudget.tally_round").apply(args=(rnd.id,)).get()
    enqueue_job("wijkbudget.tally_round", rnd.id, round_id=rnd.id)
    db.session.commit()  # as a job it gives up at once (a rule will not change its mind) and says why
    (job,) = jobs_named("wijkbudget.tally_round")
    assert job.state == "failed" and "nadat het stemmen is gesloten" in (job.failure or "")
    failure = db.session.scalar(select(AuditEvent).where(AuditEvent.round_id == rnd.id))
    assert failure.action == "round.count_failed"
    assert failure.details["task"] == "wijkbudget.tally_round"
    assert "nadat het stemmen is gesloten" in failure.details["reason"]
    assert db.session.scalar(select(Result).where(Result.round_id == rnd.id)) is None


def test_transient_database_error_is_retried(app: Flask, db_session, monkeypatch) -> None:
    data = realistic_round()
    real = counting_service.tally_round
    calls: list[int] = []

    def flaky(round_id: int, actor_id: int | None = None) -> Result:
        calls.append(round_id)
        if len(calls) == 1:
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
        return real(round_id, actor_id)

    monkeypatch.setattr(counting_service, "tally_round", flaky)
    enqueue_job("wijkbudget.tally_round", data.round.id, round_id=data.round.id)
    db.session.commit()  # first attempt, in-process: the database hiccups
    (job,) = jobs_named("wijkbudget.tally_round")
    assert (job.state, job.attempts) == ("pending", 1) and "server closed the connection" in job.failure
    make_due(job.id)
    relay.hand_over_due()  # what the sweep does every minute
    (job,) = jobs_named("wijkbudget.tally_round")
    assert (job.state, job.attempts, len(calls)) == ("done", 2, 2)
    assert db.session.scalar(select(Result.round_id).where(Result.round_id == data.round.id)) == data.round.id


def test_delay_inside_a_request_runs_on_that_apps_celery(app: Flask, db_session) -> None:
    from tasks.counting import publish_round

    data = realistic_round()
    with app.test_request_context("/"):
        async_result = publish_round.delay(data.round.id)
    assert async_result.get() == db.session.scalar(select(Result.id).where(Result.round_id == data.round.id))
    assert db.session.get(Round, data.round.id).phase == Phase.PUBLISHED.value
