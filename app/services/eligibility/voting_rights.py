"""Whether an account may vote online in a round, and under which anonymous key, by the round's eligibility.

- open: the self-declared conditions of `app.services.eligibility.open_rounds`; the key is the account's
  normalised mailbox's, and the first ballot takes the person's seat (`open_round_seats`).
- register_match: a live match to a register entry; the key is the ENTRY's key (so a letter code or a paper
  ballot of the same resident collides with it), and the ballot waits (PENDING) until the match is verified.
- letter_codes: never with an account; the resident votes with the code from their letter, or at the desk.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.models import BallotStatus, Eligibility, MatchStatus, Round, User
from app.services.eligibility.matches import live_match
from app.services.eligibility.open_round_seats import normalised_mailbox, person_key_of
from app.services.eligibility.open_rounds import open_round_problems
from app.services.eligibility.refusal import EligibilityRefused, Fix, Problem
from app.services.errors import NotAllowed
from app.services.voting.voter_keys import voter_key_for_mailbox, voter_key_for_register_entry
from app.translated import lazy_gettext as _l


@dataclass(frozen=True)
class AccountVoter:
    """How an account's ballot is stored: its voter key, its status, and the register entry to mark (if any)."""

    key: str
    ballot_status: str
    register_entry_id: int | None = None
    # Open rounds: the person the account says it is, whose seat its first ballot takes (open_round_seats).
    person_key: str | None = None


def account_voter(actor: User | None, rnd: Round, *, lock: bool = False) -> AccountVoter:
    """The account's standing in the round, or EligibilityRefused / NotAllowed saying why it may not vote.

    `lock` share-locks a register match until the transaction ends (the ballot path), so verification cannot
    decide it between reading its status and storing the ballot.
    """
    if rnd.eligibility == Eligibility.LETTER_CODES.value:
        raise NotAllowed(
            _l(
                "In this round you vote with the voting code from the letter you received, not with an "
                "account. No letter, or lost it? Ask at a polling location or the desk of the organisers."
            )
        )
    if actor is None:
        raise EligibilityRefused([Problem(_l("Log in to vote."), Fix.LOGIN)])
    if rnd.eligibility == Eligibility.REGISTER_MATCH.value:
        return _matched_voter(actor, rnd, lock)
    problems = open_round_problems(actor, rnd)
    if problems:
        raise EligibilityRefused(problems)
    return AccountVoter(
        _open_round_key(actor, rnd), BallotStatus.COUNTED.value, person_key=person_key_of(actor, rnd)
    )


def _open_round_key(actor: User, rnd: Round) -> str:
    return voter_key_for_mailbox(rnd.id, normalised_mailbox(actor.email))


def _matched_voter(actor: User, rnd: Round, lock: bool) -> AccountVoter:
    match = live_match(actor.id, rnd.id, lock=lock)
    if match is None or match.register_entry_id is None:
        raise EligibilityRefused(
            [
                Problem(
                    _l(
                        "To vote in this round, first link your account to the voter register with your address."
                    ),
                    Fix.REGISTER_MATCH,
                )
            ]
        )
    verified = match.status == MatchStatus.VERIFIED.value
    return AccountVoter(
        key=voter_key_for_register_entry(rnd.id, match.register_entry_id),
        ballot_status=BallotStatus.COUNTED.value if verified else BallotStatus.PENDING.value,
        register_entry_id=match.register_entry_id,
    )


def account_ballot_key(actor: User, rnd: Round) -> str | None:
    """The key under which the account's own online ballot is stored, or None when it has none here."""
    if rnd.eligibility == Eligibility.LETTER_CODES.value:
        return None
    if rnd.eligibility == Eligibility.REGISTER_MATCH.value:
        match = live_match(actor.id, rnd.id)
        if match is None or match.register_entry_id is None:
            return None
        return voter_key_for_register_entry(rnd.id, match.register_entry_id)
    return _open_round_key(actor, rnd)
