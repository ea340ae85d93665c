"""The mail jobs, run in-process (eager) as the embedded default runs them: retries, giving up, the sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery import Task
from celery.exceptions import Retry
from flask import Flask
from sqlalchemy import select

from app.celery_app import celery_for
from app.extensions import db
from app.models import OutgoingEmail, Phase, ResultSubscription
from app.models.base import utcnow
from app.services.notifications import mail as mail_service
from tests.factories import make_round, make_user
from tests.mail_support import free_port, use_backend


def _task(app: Flask, name: str) -> Task:
    return celery_for(app).tasks[name]


def _queued(**kw: object) -> int:
    email = OutgoingEmail(to="an@example.nl", subject="Hallo", body="Tekst", **kw)
    db.session.add(email)
    db.session.commit()
    return email.id


def test_mail_tasks_are_named_bounded_and_swept_by_beat(app: Flask) -> None:
    for name in ("wijkbudget.send_email", "wijkbudget.notify_results_published"):
        task = _task(app, name)
        assert task.acks_late and task.time_limit and task.soft_time_limit
    assert _task(app, "wijkbudget.send_email").max_retries >= mail_service.MAX_ATTEMPTS - 1
    schedule = app.config["CELERY"]["beat_schedule"]
    assert schedule["resend-stuck-mail"]["task"] == "wijkbudget.resend_stuck_mail"


def test_send_task_retries_with_growing_pauses_then_leaves_failed_with_the_error(
    app: Flask, db_session: object, monkeypatch: pytest.MonkeyPatch, outbox: list
) -> None:
    use_backend(monkeypatch, app, "smtp", server="127.0.0.1", port=free_port(), timeout=2)
    task = _task(app, "wijkbudget.send_email")
    with app.app_context():
        email_id = _queued()
        pauses = []
        for retries in range(mail_service.MAX_ATTEMPTS - 1):  # as a worker would run the retries
            with pytest.raises(Retry) as retry:
                task.apply(args=[email_id], retries=retries)
            pauses.append(retry.value.when)
        assert task.apply(args=[email_id], retries=mail_service.MAX_ATTEMPTS - 1).get() == "failed"
        db.session.expire_all()
        stored = db.session.get(OutgoingEmail, email_id)
    assert (stored.status, stored.attempts) == ("failed", mail_service.MAX_ATTEMPTS)
    assert "ConnectionRefusedError" in (stored.last_error or "")
    assert outbox == []
    for retries, pause in enumerate(pauses):  # 30 s, 60 s, 120 s, ... plus up to a quarter of jitter
        assert 30 * 2**retries <= pause <= 1.25 * 30 * 2**retries


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


def test_send_task_twice_sends_once(app: Flask, db_session: object, outbox: list) -> None:
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
        stuck = _queued(created_at=utcnow() - timedelta(minutes=30))
        fresh = _queued()  # its own job may still be on its way: not the sweep's business yet
        rnd = make_round(phase=Phase.PUBLISHED)
        subscriber = make_user()
        db.session.add(ResultSubscription(user_id=subscriber.id, round_id=rnd.id))
        db.session.commit()

        assert _task(app, "wijkbudget.resend_stuck_mail").apply().get() == 2
        assert _task(app, "wijkbudget.resend_stuck_mail").apply().get() == 0

        db.session.expire_all()
        assert db.session.get(OutgoingEmail, stuck).status == "sent"
        assert db.session.get(OutgoingEmail, fresh).status == "queued"
        told = db.session.scalars(select(ResultSubscription.notified_at)).one()
    assert told is not None
    assert sorted(m.to[0] for m in outbox) == sorted(["an@example.nl", subscriber.email])
