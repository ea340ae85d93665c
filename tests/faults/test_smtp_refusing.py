"""A mail server that refuses: mail is retried with backoff, ends visibly failed after the cap, never twice.

A real worker on a Redis server of this test's own; the backoff is scaled down (JOB_BACKOFF_SCALE) so five
attempts take seconds instead of minutes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxJob, OutgoingEmail
from app.services.notifications import mail
from app.services.notifications.mail import queue_email
from tasks.sweep import sweep_due_work
from tests.faults.conftest import production_env
from tests.faults.processes import CeleryWorker, RedisServer, wait_for
from tests.mail_support import CollectingHandler, free_port


class RefusingHandler(CollectingHandler):
    """Answers "451 try again later" to the first `refusals` recipients, then accepts."""

    def __init__(self, refusals: int) -> None:
        super().__init__()
        self.refusals = refusals
        self.tries = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        self.tries += 1
        if self.tries <= self.refusals:
            return "451 4.3.0 Mailbox busy, try again later"
        return await super().handle_RCPT(server, session, envelope, address, options)


def _smtp(handler: CollectingHandler) -> tuple[Controller, int]:
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port


def _mail_and_job(app: Flask) -> tuple[OutgoingEmail, OutboxJob]:
    with app.app_context():
        db.session.expire_all()
        return (
            db.session.scalars(select(OutgoingEmail)).one(),
            db.session.scalars(select(OutboxJob).where(OutboxJob.name == mail.SEND_TASK)).one(),
        )


def _send_one(web: Flask) -> None:
    with web.app_context():
        queue_email("bewoner@voorbeeld.nl", "Uitslag", "De uitslag is bekend.")
        db.session.commit()


def test_refused_mail_is_retried_with_backoff_then_visibly_failed_and_never_sent(
    app: Flask, production_app: object, redis_server: RedisServer, committed_db: None, tmp_path: Path
) -> None:
    handler = RefusingHandler(refusals=100)
    controller, port = _smtp(handler)
    env = production_env(tmp_path, redis_server.url, port)
    web = production_app(env)  # type: ignore[operator]
    worker = CeleryWorker(env, tmp_path / "worker.log").start()
    try:
        _send_one(web)

        def given_up() -> bool:
            return _mail_and_job(app)[1].state == "failed"

        wait_for(given_up, 90, "the mail job to give up")
        handler.refusals = 0  # the server would accept now: a failed message stays failed
        with app.app_context():
            sweep_due_work()
    except BaseException:
        print(worker.log_tail())
        raise
    finally:
        worker.stop()
        controller.stop()
    email, job = _mail_and_job(app)
    assert (email.status, email.attempts) == ("failed", mail.MAX_ATTEMPTS)
    assert "451" in (email.last_error or "")
    assert (job.state, job.attempts) == ("failed", mail.MAX_ATTEMPTS)
    assert "451" in (job.failure or "")  # what organisers read among the background work
    assert handler.tries == mail.MAX_ATTEMPTS and handler.messages == []
    pauses = job.finished_at - job.created_at
    assert pauses.total_seconds() >= 0.02 * 30 * (1 + 2 + 4 + 8)  # the backoff was kept (scaled down)


def test_mail_refused_twice_then_accepted_is_sent_exactly_once(
    app: Flask, production_app: object, redis_server: RedisServer, committed_db: None, tmp_path: Path
) -> None:
    handler = RefusingHandler(refusals=2)
    controller, port = _smtp(handler)
    env = production_env(tmp_path, redis_server.url, port)
    web = production_app(env)  # type: ignore[operator]
    worker = CeleryWorker(env, tmp_path / "worker.log").start()
    try:
        _send_one(web)
        wait_for(lambda: _mail_and_job(app)[0].status == "sent", 60, "the mail to be sent")
        with app.app_context():
            sweep_due_work()  # a sweep afterwards sends nothing again
            sweep_due_work()
    except BaseException:
        print(worker.log_tail())
        raise
    finally:
        worker.stop()
        controller.stop()
    email, job = _mail_and_job(app)
    assert (email.status, email.attempts) == ("sent", 3)
    assert (job.state, job.attempts) == ("done", 3)
    assert len(handler.messages) == 1
