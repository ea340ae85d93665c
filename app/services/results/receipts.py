"""Receipts of a published round: the public list of counted receipt codes and "was my ballot counted?".

Receipt codes are published on their own, sorted, and never together with what a ballot chose: the list
proves that a ballot was counted without showing how anyone voted. Nothing is shown before publication.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Select, select

from app.extensions import db
from app.models import Ballot, BallotStatus
from app.services.results.publishing import published_result
from app.services.voting.voter_keys import RECEIPT_ALPHABET, RECEIPT_GROUP_LENGTH, RECEIPT_GROUPS

RECEIPT_LENGTH = RECEIPT_GROUPS * RECEIPT_GROUP_LENGTH
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212_.]+")


def normalise_receipt(text: str) -> str | None:
    """A receipt code as typed ("k7qm 9xrt-cawf", "K7QM–9XRT–CAWF") in its stored form "K7QM-9XRT-CAWF".

    Case, spaces and dashes (any kind) are ignored. Returns None when what remains is not a possible code:
    the wrong length, or a character that never occurs in codes (such as O or 0).
    """
    compact = _SEPARATORS.sub("", text).upper()
    if len(compact) != RECEIPT_LENGTH or any(char not in RECEIPT_ALPHABET for char in compact):
        return None
    groups = (compact[i : i + RECEIPT_GROUP_LENGTH] for i in range(0, RECEIPT_LENGTH, RECEIPT_GROUP_LENGTH))
    return "-".join(groups)


def receipt_typing_problem(text: str) -> tuple[str, str] | None:
    """Why what was typed cannot be a receipt code: ("length", count typed) or ("characters", the characters
    codes never contain); None when it can be one. The form names that problem, not a generic one."""
    compact = _SEPARATORS.sub("", text).upper()
    if len(compact) != RECEIPT_LENGTH:
        return "length", str(len(compact))
    strange = sorted({char for char in compact if char not in RECEIPT_ALPHABET})
    return ("characters", " ".join(strange)) if strange else None


def published_receipts(round_id: int) -> list[str]:
    """The receipt codes of every counted ballot of a published round, in alphabetical order.

    Sorted, so the list says nothing about the order in which people voted. NotFound before publication.
    """
    published_result(round_id)  # NotFound until the result is public
    return list(
        db.session.scalars(_counted_ballots(round_id, Ballot.receipt_code).order_by(Ballot.receipt_code))
    )


def receipt_counted(round_id: int, code: str) -> bool:
    """True when `code` (already normalised) belongs to a ballot counted in the round's published result.

    NotFound before publication: a receipt is only confirmed against a result that everyone can see.
    """
    published_result(round_id)  # NotFound until the result is public
    found = db.session.scalar(
        _counted_ballots(round_id, Ballot.id).where(Ballot.receipt_code == code).limit(1)
    )
    return found is not None


def _counted_ballots(round_id: int, column: Any) -> Select[Any]:
    """The ballots the count included: the same set `app.services.results.election.load_election` counts (status
    counted; pending and rejected ballots are not in the result)."""
    return select(column).where(Ballot.round_id == round_id, Ballot.status == BallotStatus.COUNTED.value)
