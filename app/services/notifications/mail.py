"""Outgoing e-mail: recorded in the deciding transaction, sent by a job after the commit.

`queue_email` only adds an `OutgoingEmail` row and its outbox job `wijkbudget.send_email`; nothing goes out when
the transaction rolls back, and nothing is sent while a transaction (or a visitor) waits. `deliver` sends one
queued message through Flask-Mailman (SMTP in production, files in `instance/outbox/` in the embedded default).
"""

from __future__ import annotations

import smtplib
from datetime import datetime, timedelta

from flask_mailman import EmailMultiAlternatives
from sqlalchemy import select

from app.extensions import db
from app.models import EmailStatus, OutboxJob, OutboxState, OutgoingEmail
from app.models.base import utcnow
from app.services.errors import TryAgainLater
from app.services.jobs import enqueue_job

SEND_TASK = "wijkbudget.send_email"
MAX_ATTEMPTS = 5
ERROR_MAX = 2000
SUBJECT_MAX = 255
STUCK_AFTER = timedelta(minutes=10)  # queued this long with no job left: the sweep queues a new one


class TransientMailError(TryAgainLater):
    """Sending failed in a way that may pass (server down, 4xx answer); the message stays queued."""


def queue_email(to: str, subject: str, body: str, *, html: str | None = None) -> None:
    """Record a message in the current transaction and send it after that transaction commits.

    The caller commits (one service call, one transaction). On rollback neither the row nor the job exists.
    """
    email = OutgoingEmail(to=to, subject=" ".join(subject.split())[:SUBJECT_MAX], body=body, html=html)
    db.session.add(email)
    db.session.flush()  # the id is the job's argument
    enqueue_job(SEND_TASK, email.id)


def deliver(email_id: int) -> str:
    """Send one queued message and return its status afterwards. One transaction.

    Idempotent on status: a message that is sent or failed (or that another job is sending right now) is left
    alone, so running the job twice never sends twice. A failure that may pass counts an attempt, keeps the
    message queued and raises TransientMailError, until the MAX_ATTEMPTS-th attempt marks it failed; a
    permanent refusal (5xx) marks it failed at once. `last_error` always says what went wrong.
    """
    email = db.session.scalars(
        select(OutgoingEmail)
        .where(OutgoingEmail.id == email_id, OutgoingEmail.status == EmailStatus.QUEUED.value)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    ).one_or_none()
    if email is None:
        db.session.commit()  # ends the transaction
        return _status_of(email_id)
    email.attempts += 1
    try:
        _message(email).send()
    except Exception as exc:  # noqa: BLE001 - every failure is recorded; only transient ones are retried
        transient = _is_transient(exc)
        email.last_error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
        if not transient or email.attempts >= MAX_ATTEMPTS:
            email.status = EmailStatus.FAILED.value
        db.session.commit()
        if email.status == EmailStatus.QUEUED.value:
            raise TransientMailError(email.last_error) from exc
        return email.status
    email.status = EmailStatus.SENT.value
    email.sent_at = utcnow()
    db.session.commit()
    return email.status


def stale_queued_ids(older_than: timedelta, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Queued messages created before `now - older_than`: their job was lost (e.g. the broker was down)."""
    cutoff = (now or utcnow()) - older_than
    return list(
        db.session.scalars(
            select(OutgoingEmail.id)
            .where(OutgoingEmail.status == EmailStatus.QUEUED.value, OutgoingEmail.created_at < cutoff)
            .order_by(OutgoingEmail.id)
            .limit(limit)
        )
    )


def requeue_stuck_mail(older_than: timedelta = STUCK_AFTER, now: datetime | None = None) -> list[int]:
    """The sweep's step: queued mail older than `older_than` with no live job to send it gets a new job
    (e.g. its job gave up on database trouble while the message itself stayed queued); returns those ids."""
    stale = stale_queued_ids(older_than, now)
    if not stale:
        return []
    live = {
        args[0]
        for args in db.session.scalars(
            select(OutboxJob.args).where(
                OutboxJob.name == SEND_TASK,
                OutboxJob.state.in_(
                    (OutboxState.PENDING.value, OutboxState.PUBLISHED.value, OutboxState.RUNNING.value)
                ),
            )
        )
        if args
    }
    stuck = [email_id for email_id in stale if email_id not in live]
    for email_id in stuck:
        enqueue_job(SEND_TASK, email_id)
    db.session.commit()
    return stuck


def failure_of(email_id: int) -> str:
    """What went wrong with a message, as the mail server said it."""
    error = db.session.scalar(select(OutgoingEmail.last_error).where(OutgoingEmail.id == email_id))
    return error or "not sent"


def _status_of(email_id: int) -> str:
    status = db.session.scalar(select(OutgoingEmail.status).where(OutgoingEmail.id == email_id))
    return status or "missing"


def _message(email: OutgoingEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(subject=email.subject, body=email.body, to=[email.to])
    if email.html:
        message.attach_alternative(email.html, "text/html")
    return message


def _is_transient(exc: Exception) -> bool:
    """4xx answers and network trouble may pass; a 5xx answer is the server's final word."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return any(code < 500 for code, _msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code < 500
    return isinstance(exc, (smtplib.SMTPException, OSError))
