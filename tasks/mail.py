"""E-mail jobs: send one queued message, and tell a round's subscribers that its result is out.

Each is idempotent (the message's status and the subscription's `notified_at` decide), so a job that runs twice
sends nothing twice. A mail server saying "later" (TransientMailError) is retried with the common backoff; the
message itself counts its attempts and ends visibly `failed` after `MAX_ATTEMPTS`.
"""

from __future__ import annotations

from app.models import EmailStatus
from app.services.notifications import mail as mail_service
from app.services.notifications import result_subscriptions
from tasks.base import job


class MailNotDelivered(Exception):
    """The message was given up on (a final refusal, or the last attempt): its job fails with the reason."""


@job(
    mail_service.SEND_TASK,
    soft_time_limit=60,
    time_limit=90,
    max_attempts=mail_service.MAX_ATTEMPTS,
    backoff_base=30.0,
)
def send_email(email_id: int) -> str:
    """Send a queued message; returns its status afterwards. A message that ends `failed` fails its job too,
    with the server's answer, so organisers see it among the background work that needs attention."""
    status = mail_service.deliver(email_id)
    if status == EmailStatus.FAILED.value:
        raise MailNotDelivered(mail_service.failure_of(email_id))
    return status


@job(result_subscriptions.NOTIFY_TASK)
def notify_results_published(round_id: int) -> int:
    """Tell the round's subscribers that the result is out; returns how many were told now."""
    return result_subscriptions.notify_subscribers(round_id)
