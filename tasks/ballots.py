"""The seal of the urn (see `app.services.voting.urn`): idempotent, an empty urn is simply nothing to do."""

from __future__ import annotations

from app.services.voting import urn
from tasks.base import job


@job(urn.SEAL_TASK, soft_time_limit=240, time_limit=270)
def seal_ballots(round_id: int) -> int:
    """Seal what is left in a round's urn once voting closed; returns how many ballots were sealed."""
    return urn.seal_closed_round(round_id)
