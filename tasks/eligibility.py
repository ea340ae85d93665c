"""Verification of register matches. Idempotent: a decided match or settled ballot is never decided again.

`verify_register_matches` is the job a resident's match request asks for; the sweep verifies whatever is still
pending every minute (`verify_pending_register_matches`), so nothing is left behind.
"""

from __future__ import annotations

from app.services.eligibility import matches as register_matches
from tasks.base import job


@job("wijkbudget.verify_register_matches")
def verify_register_matches(round_id: int) -> dict[str, int]:
    """Decide the round's pending register matches and settle its pending ballots; returns the numbers."""
    summary = register_matches.verify_register_matches(round_id)
    return {
        "verified": summary.verified,
        "rejected": summary.rejected,
        "ballots_settled": summary.ballots_settled,
    }


@job("wijkbudget.verify_pending_register_matches")
def verify_pending_register_matches() -> list[int]:
    """Verify every round that has pending matches or ballots; returns their ids."""
    return register_matches.verify_all_pending()
