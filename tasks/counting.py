"""Counting and publication jobs. Idempotent: running one twice leaves the same state."""

from __future__ import annotations

from celery import shared_task

from app.services import counting as counting_service
from app.services import publishing as publishing_service


@shared_task(
    name="wijkbudget.tally_round",
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=600,
    time_limit=660,
    acks_late=True,
)
def tally_round(round_id: int) -> int:
    """Count a closed round; returns the result id. The count stays hidden until publication."""
    return counting_service.tally_round(round_id).id


@shared_task(
    name="wijkbudget.publish_round",
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=600,
    time_limit=660,
    acks_late=True,
)
def publish_round(round_id: int, actor_id: int | None = None) -> int:
    """Count (if needed) and publish a round; returns the result id."""
    return publishing_service.publish_round(round_id, actor_id=actor_id).id
