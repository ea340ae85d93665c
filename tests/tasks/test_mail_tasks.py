"""The mail jobs through the outbox, run in-process as the embedded default runs them: retries, giving up,
never twice, and the sweep for stuck mail and forgotten subscribers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery import Task
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxJob, OutgoingEmail, Phase, ResultSubscription
from app.models.base import utcnow
from app.services.notifications import mail as mail_service
from tasks import relay
from tasks.broker import celery_for
from tasks.sweep import sweep_due_work
from tests.factories import make_round, make_user
from tests.mail_support import free_port, use_backend
from tests.tasks.outbox_support import jobs_named, make_due


def _task(app: Flask, name: str) -> Task:
    return celery_for(app).tasks[name]


def _queued(**kw: object) -> int:
    email = OutgoingEmail(to="an@example.nl", subject="Hallo", body="Tekst", **kw)
    db.session.add(email)
    db.session.commit()
    return email.id


def test_mail_tasks_are_named_bounded_and_the_beat_sweeps_every_minute(app: Flask) -> None:
    for name in ("wijkbudget.send_email", "wijkbudget.notify_results_published"):
        task = _task(app, name)
        assert task.acks_late and task.time_limit and task.soft_time_limit
    assert _task(app, "wijkbudget.send_email").max_attempts == mail_service.MAX_ATTEMPTS
    schedule = app.config["CELERY"]["beat_schedule"]
    assert schedule["sweep-due-work"] == {"task": "wijkbudget.sweep", "schedule": 60.0}


def test_refused_smtp_is_retried_with_growing_pauses_then_failed_with_the_error(
    app: Flask, db_session: object, monkeypatch: pytest.MonkeyPatch, outbox: list
) -> None:
    use_backend(monkeypatch, app, "smtp", server="127.0.0.1", port=free_port(), timeout=2)
    with app.app_context():
        mail_service.queue_email("an@example.nl", "Hallo", "Tekst")
        db.session.commit()  # the first attempt runs right after this commit, in-process
        (job,) = jobs_named("wijkbudget.send_email")
        pauses = []
        for _attempt in range(mail_service.MAX_ATTEMPTS - 1):
            job = db.session.get(OutboxJob, job.id)
            assert job.state == "pending" and "ConnectionRefusedError" in (job.failure or "")
            pauses.append((job.available_at - utcnow()).total_seconds())
            relay.hand_over_due()  # not due yet: the pause is kept
            assert db.session.get(OutboxJob, job.id).attempts == _attempt + 1
            make_due(job.id)
            relay.hand_over_due()
        db.session.expire_all()
        job = db.session.get(OutboxJob, job.id)
        stored = db.session.scalars(select(OutgoingEmail)).one()
    assert (stored.status, stored.attempts) == ("failed", mail_service.MAX_ATTEMPTS)
    assert "ConnectionRefusedError" in (stored.last_error or "")
    assert job.state == "failed" and job.attempts == mail_service.MAX_ATTEMPTS  # organisers see it
    assert "ConnectionRefusedError" in (job.failure or "")
    assert outbox == []
    for attempt, pause in enumerate(pauses):  # 30 s, 60 s, 120 s, 240 s
        assert 30 * 2**attempt - 5 <= pause <= 30 * 2**attempt


def test_in_process_transient_failure_leaves_the_mail_queued_and_the_commit_standing(
    app: Flask, db_session: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_backend(monkeypatch, app, "smtp", server="127.0.0.1", port=free_port(), timeout=2)
    with app.app_context():
        mail_service.queue_email("an@example.nl", "Hallo", "Tekst")
        db.session.commit()  # the failing job must not turn the caller's commit into an error
        db.session.expire_all()
        stored = db.session.scalars(select(OutgoingEmail)).one()
    assert (stored.status, stored.attempts) == ("queued", 1)
    assert stored.last_error


def test_a_mail_job_delivered_twice_sends_once(app: Flask, db_session: object, outbox: list) -> None:
    with app.app_context():
        mail_service.queue_email("an@example.nl", "Hallo", "Tekst")
        db.session.commit()
        (job,) = jobs_named("wijkbudget.send_email")
        relay.hand_over([job.id])  # a second delivery of the same job, e.g. re-published by the sweep
        _task(app, "wijkbudget.send_email").apply(args=job.args, kwargs={"job_id": job.id})
        (job,) = jobs_named("wijkbudget.send_email")
    assert len(outbox) == 1
    assert (job.state, job.attempts) == ("done", 1)


def test_send_task_called_twice_sends_once(app: Flask, db_session: object, outbox: list) -> None:
    with app.app_context():
        email_id = _queued()
        task = _task(app, "wijkbudget.send_email")
        assert task.apply(args=[email_id]).get() == "sent"
        assert task.apply(args=[email_id]).get() == "sent"
    assert len(outbox) == 1


def test_sweep_resends_stuck_mail_and_tells_forgotten_subscribers(
    app: Flask, db_session: object, outbox: list
) -> None:
    with app.app_context():
        stuck = _queued(created_at=utcnow() - timedelta(minutes=30))  # written before the outbox, say
        fresh = _queued()  # its own job may still be on its way: not the sweep's business yet
        rnd = make_round(phase=Phase.PUBLISHED)
        subscriber = make_user()
        db.session.add(ResultSubscription(user_id=subscriber.id, round_id=rnd.id))
        db.session.commit()

        first = sweep_due_work()
        assert (first["mail_requeued"], first["rounds_told"]) == (1, 1)
        again = sweep_due_work()
        assert (again["mail_requeued"], again["rounds_told"]) == (0, 0)

        db.session.expire_all()
        assert db.session.get(OutgoingEmail, stuck).status == "sent"
        assert db.session.get(OutgoingEmail, fresh).status == "queued"
        told = db.session.scalars(select(ResultSubscription.notified_at)).one()
    assert told is not None
    assert sorted(m.to[0] for m in outbox) == sorted(["an@example.nl", subscriber.email])
