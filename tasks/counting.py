"""Counting and publication jobs. Idempotent: running one twice leaves the same state.

Transient failures (database or network hiccups) are retried with exponential backoff, at most five times.
A job that gives up, or that a rule refuses, leaves an audit event "round.count_failed" for the organisers.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from sqlalchemy.exc import OperationalError

from app.services.errors import RuleViolation
from app.services.results import counting as counting_service
from app.services.results import publishing as publishing_service

RETRY_ON = (OperationalError, ConnectionError, TimeoutError)
JOB_OPTIONS: dict[str, Any] = {
    "autoretry_for": RETRY_ON,
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
    "soft_time_limit": 600,
    "time_limit": 660,
    "acks_late": True,
}


@shared_task(name="wijkbudget.tally_round", **JOB_OPTIONS)
def tally_round(round_id: int) -> int:
    """Count a closed round; returns the result id. The count stays hidden until publication."""
    try:
        return counting_service.tally_round(round_id).id
    except counting_service.ResultAlreadyPublished as published:
        return published.result_id  # already decided and public: nothing left to do
    except RuleViolation as refused:
        counting_service.record_count_failure(round_id, "wijkbudget.tally_round", str(refused.message))
        raise


@shared_task(name="wijkbudget.publish_round", **JOB_OPTIONS)
def publish_round(round_id: int, actor_id: int | None = None) -> int:
    """Count (if needed) and publish a round; returns the result id."""
    try:
        return publishing_service.publish_round(round_id, actor_id=actor_id).id
    except RuleViolation as refused:
        counting_service.record_count_failure(round_id, "wijkbudget.publish_round", str(refused.message))
        raise
