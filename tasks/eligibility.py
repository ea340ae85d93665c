"""Verification of register matches. Idempotent: a decided match or settled ballot is never decided again.

`verify_register_matches` is enqueued after a resident's match request is committed; the beat runs
`verify_pending_register_matches` every few minutes so no pending work is left behind (a lost message, a
worker restart). Transient failures are retried with exponential backoff, at most five times.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from sqlalchemy.exc import OperationalError

from app.services.eligibility import matches as register_matches

JOB_OPTIONS: dict[str, Any] = {
    "autoretry_for": (OperationalError, ConnectionError, TimeoutError),
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
    "soft_time_limit": 300,
    "time_limit": 330,
    "acks_late": True,
}


@shared_task(name="wijkbudget.verify_register_matches", **JOB_OPTIONS)
def verify_register_matches(round_id: int) -> dict[str, int]:
    """Decide the round's pending register matches and settle its pending ballots; returns the numbers."""
    summary = register_matches.verify_register_matches(round_id)
    return {
        "verified": summary.verified,
        "rejected": summary.rejected,
        "ballots_settled": summary.ballots_settled,
    }


@shared_task(name="wijkbudget.verify_pending_register_matches", soft_time_limit=300, time_limit=330)
def verify_pending_register_matches() -> list[int]:
    """Beat: verify every round that has pending matches or ballots; returns their ids."""
    round_ids = register_matches.rounds_with_pending_verification()
    for round_id in round_ids:
        register_matches.verify_register_matches(round_id)
    return round_ids
