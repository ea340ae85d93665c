"""Counting and publication jobs. Idempotent: running one twice leaves the same state.

A job that gives up, or that a rule refuses, leaves an audit event "round.count_failed" for the organisers.
"""

from __future__ import annotations

from app.services.results import counting as counting_service
from app.services.results import publishing as publishing_service
from tasks.base import job


def _count_failed(task: str):  # type: ignore[no-untyped-def]
    def record(round_id: int, *_: object, reason: str) -> None:
        counting_service.record_count_failure(round_id, task, reason)

    return record


@job(
    "wijkbudget.tally_round",
    soft_time_limit=600,
    time_limit=660,
    on_give_up=_count_failed("wijkbudget.tally_round"),
)
def tally_round(round_id: int) -> int:
    """Count a closed round; returns the result id. The count stays hidden until publication."""
    try:
        return counting_service.tally_round(round_id).id
    except counting_service.ResultAlreadyPublished as published:
        return published.result_id  # already decided and public: nothing left to do


@job(
    "wijkbudget.publish_round",
    soft_time_limit=600,
    time_limit=660,
    on_give_up=_count_failed("wijkbudget.publish_round"),
)
def publish_round(round_id: int, actor_id: int | None = None) -> int:
    """Count (if needed) and publish a round; returns the result id."""
    return publishing_service.publish_round(round_id, actor_id=actor_id).id
