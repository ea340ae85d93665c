"""E-mail jobs: send one queued message, tell a round's subscribers, and resend what got stuck.

Each is idempotent (the message's status and the subscription's `notified_at` decide), so a job that runs twice,
or that the sweep enqueues again, sends nothing twice.
"""

from __future__ import annotations

import random
from datetime import timedelta

from celery import Task, shared_task
from sqlalchemy.exc import OperationalError

from app.services.notifications import mail as mail_service
from app.services.notifications import result_subscriptions

RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 600
STUCK_AFTER = timedelta(minutes=10)


@shared_task(
    name=mail_service.SEND_TASK,
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    max_retries=mail_service.MAX_ATTEMPTS,
    soft_time_limit=60,
    time_limit=90,
    acks_late=True,
)
def send_email(self: Task, email_id: int) -> str:
    """Send a queued message; transient SMTP trouble is retried with growing pauses until the service gives up."""
    try:
        return mail_service.deliver(email_id)
    except mail_service.TransientMailError as exc:
        pause = min(RETRY_BASE_SECONDS * 2**self.request.retries, RETRY_MAX_SECONDS)
        raise self.retry(exc=exc, countdown=pause + random.uniform(0, pause / 4)) from exc  # noqa: S311


@shared_task(
    name=result_subscriptions.NOTIFY_TASK,
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    max_retries=5,
    soft_time_limit=300,
    time_limit=330,
    acks_late=True,
)
def notify_results_published(round_id: int) -> int:
    """Tell the round's subscribers that the result is out; returns how many were told now."""
    return result_subscriptions.notify_subscribers(round_id)


@shared_task(name="wijkbudget.resend_stuck_mail", soft_time_limit=120, time_limit=150)
def resend_stuck_mail() -> int:
    """Beat sweep: enqueue again what was committed but never handed to a worker; returns how many jobs."""
    stuck = mail_service.stale_queued_ids(STUCK_AFTER)
    for email_id in stuck:
        send_email.delay(email_id)
    rounds = result_subscriptions.rounds_with_untold_subscribers()
    for round_id in rounds:
        notify_results_published.delay(round_id)
    return len(stuck) + len(rounds)
