"""The counting and publication tasks, run in-process (eager), as the embedded default runs them."""

from __future__ import annotations

import pytest
from celery import Task
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from app.celery_app import celery_for
from app.extensions import db
from app.models import AuditEvent, Phase, Result, Round
from app.services.errors import RuleViolation
from app.services.results import counting as counting_service
from tests.factories import make_project, make_round
from tests.results_data import cast_votes, realistic_round


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
        assert OperationalError in task.autoretry_for
        assert task.max_retries == 5
        assert task.retry_backoff and task.retry_jitter
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
    with pytest.raises(RuleViolation):
        _task(app, "wijkbudget.tally_round").apply(args=(rnd.id,)).get()
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
    # throw=False: let Celery run the retry itself, as a worker would (eager mode re-runs it at once).
    result_id = _task(app, "wijkbudget.tally_round").apply(args=(data.round.id,), throw=False).get()
    assert len(calls) == 2
    assert db.session.get(Result, result_id).round_id == data.round.id


def test_delay_inside_a_request_runs_on_that_apps_celery(app: Flask, db_session) -> None:
    from tasks.counting import publish_round

    data = realistic_round()
    with app.test_request_context("/"):
        async_result = publish_round.delay(data.round.id)
    assert async_result.get() == db.session.scalar(select(Result.id).where(Result.round_id == data.round.id))
    assert db.session.get(Round, data.round.id).phase == Phase.PUBLISHED.value
