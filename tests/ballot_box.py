"""For tests that look into the ballot box: seal every urn first, as the seal job and the count do."""

from __future__ import annotations

from typing import Any

from app.extensions import db
from app.services.voting.urn import rounds_with_waiting_ballots, seal_round


def seal_every_urn() -> None:
    for round_id in rounds_with_waiting_ballots():
        seal_round(round_id)
    db.session.commit()


def sealed_session() -> Any:
    """The session, after sealing every urn: for a look into the ballot box in one expression."""
    seal_every_urn()
    return db.session
