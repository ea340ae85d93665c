"""Voting with a letter code (no account): code plus postcode, then the ballot.

Rules and invariants:
- A code that cannot be a code (wrong length, a symbol outside the alphabet, a failing check symbol) gets
  "check the code" before anything is looked up: typos are not guesses.
- A wrong code, a revoked code and a right code with the wrong postcode get the SAME answer, so the answer
  never tells which half was wrong.
- Casting is ONE transaction: a conditional update consumes the code (`status 'active' -> 'used'`, joined with
  the entry's postcode), `store_ballot` drops the ballot into the urn under the register entry's anonymous key
  (channel online_code) and `mark_voted` writes the poll book. No audit event per ballot (the seal counts them).
  Of simultaneous submissions of one code exactly one consumes it; the others get "already used".
- A used code may replace its own ballot until voting closes when the voter also gives that ballot's receipt
  code; otherwise "already used".
- The ballot holds no link to the code or the entry; no Redis or Celery on this path.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CursorResult, select, update

from app.extensions import db
from app.models import BallotChannel, CodeStatus, RegisterEntry, Round, VotingCode
from app.postcodes import normalise_postcode
from app.services.errors import RuleViolation
from app.services.rounds.parts import register_buurt
from app.services.voting import ballots
from app.services.voting.ballots import (
    AlreadyVoted,
    BallotMarks,
    BallotRejected,
    lock_round_for_voting,
)
from app.services.voting.poll_book import mark_voted
from app.services.voting.urn import NEVER, Replacement, StoredBallot, stored_ballot
from app.services.voting.voter_keys import (
    normalise_voting_code,
    voter_key_for_register_entry,
    voting_code_hash,
)
from app.translated import lazy_gettext as _l


class CodeTypo(RuleViolation):
    """The text cannot be a voting code: a typo, caught by the check symbol. Nothing was looked up."""

    def __init__(self) -> None:
        super().__init__(
            _l("This is not a valid voting code. Check the code on your letter and try again."), field="code"
        )


class CodeNotRecognised(RuleViolation):
    """Unknown code, revoked code, or the postcode does not match: one answer for all three."""

    def __init__(self) -> None:
        super().__init__(
            _l("We do not recognise this combination of voting code and postcode. Check both and try again.")
        )


class CodeAlreadyUsed(AlreadyVoted):
    """The code has been used; only its own receipt code lets the voter change that ballot."""

    def __init__(self) -> None:
        super().__init__(
            _l(
                "This voting code has already been used. To change that vote, fill in the receipt code you "
                "got after voting as well."
            )
        )


@dataclass(frozen=True)
class CodeVoter:
    """Who is voting, as far as this request knows: the round, the entry and whether they replace a ballot."""

    round: Round
    entry_id: int
    code: str  # compact
    postcode: str  # normalised
    receipt: str  # normalised, "" when not given
    replacing: bool


def normalise_receipt(text: str) -> str:
    """A receipt code as printed ("K7QM-9XRT-CAWF"), whatever case or spacing was typed."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    return "-".join(cleaned[i : i + 4] for i in range(0, len(cleaned), 4))


def code_matches_postcode(code_text: str, postcode_text: str) -> bool:
    """True when the typed code is a live or used code of an entry with this postcode (reads only).

    The web layer uses it to let a resident with a right code and postcode through even from an address that
    is blocked for failed tries: guessing a 95-bit code is hopeless, so this answer helps no attacker.
    """
    code = normalise_voting_code(code_text or "")
    postcode = normalise_postcode(postcode_text or "")
    if code is None or postcode is None:
        return False
    found = db.session.scalar(
        select(VotingCode.id)
        .join(RegisterEntry, RegisterEntry.id == VotingCode.register_entry_id)
        .where(
            VotingCode.code_hash == voting_code_hash(code),
            RegisterEntry.postcode == postcode,
            VotingCode.status != CodeStatus.REVOKED.value,
        )
    )
    return found is not None


def code_failure_key(code_text: str) -> str:
    """What the per-code failure count is kept under: the code's keyed hash (never the code itself)."""
    code = normalise_voting_code(code_text or "")
    return voting_code_hash(code) if code is not None else "not-a-code"


def identify_code_voter(
    code_text: str, postcode_text: str, receipt_text: str = "", *, lock_round: bool = False
) -> CodeVoter:
    """Check code + postcode (+ receipt) without changing anything: CodeTypo, CodeNotRecognised,
    CodeAlreadyUsed, or a RuleViolation when the round is not open for voting. `lock_round` (the cast) reads
    the round share-locked, as every ballot does, so closing the vote waits for it."""
    if not (code_text or "").strip():
        raise RuleViolation(_l("Fill in the voting code from your letter."), field="code")
    code = normalise_voting_code(code_text or "")
    if code is None:
        raise CodeTypo()
    postcode = normalise_postcode(postcode_text or "")
    found = None
    if postcode is not None:
        found = db.session.execute(
            select(VotingCode.round_id, VotingCode.register_entry_id, VotingCode.status)
            .join(RegisterEntry, RegisterEntry.id == VotingCode.register_entry_id)
            .where(VotingCode.code_hash == voting_code_hash(code), RegisterEntry.postcode == postcode)
        ).first()
    if found is None or found.status == CodeStatus.REVOKED.value:
        raise CodeNotRecognised()
    rnd = lock_round_for_voting(found.round_id) if lock_round else db.session.get(Round, found.round_id)
    assert rnd is not None and postcode is not None
    refusal = _voting_refusal(rnd)
    if refusal is not None:
        raise refusal
    receipt = normalise_receipt(receipt_text or "")
    replacing = found.status == CodeStatus.USED.value
    if replacing and not (receipt and _ballot_with_receipt(rnd.id, found.register_entry_id, receipt)):
        raise CodeAlreadyUsed()
    return CodeVoter(rnd, found.register_entry_id, code, postcode, receipt, replacing)


def cast_code_ballot(
    code_text: str, postcode_text: str, marks: BallotMarks | Iterable[object], receipt_text: str = ""
) -> tuple[StoredBallot, bool]:
    """Consume the code and store the ballot in one transaction; returns (ballot, created).

    BallotRejected (with every problem) when the choice breaks the kaders; the code then stays unused."""
    voter = identify_code_voter(code_text, postcode_text, receipt_text, lock_round=True)
    try:
        ballot, created = _store(voter, marks)
    except RuleViolation:
        db.session.rollback()  # nothing of a refused ballot stays: the code is not consumed
        raise
    db.session.commit()
    return ballot, created


def _store(voter: CodeVoter, marks: BallotMarks | Iterable[object]) -> tuple[StoredBallot, bool]:
    rnd = voter.round  # share-locked by identify_code_voter, open for voting
    if not voter.replacing:
        _consume(voter)  # first: simultaneous submissions of one code queue here, and all but one stop
    check = ballots.check_ballot(rnd, marks, register_buurt_id=register_buurt(voter.entry_id))
    if not check.ok:
        raise BallotRejected(check)  # the caller rolls back, so the code is not consumed
    key = voter_key_for_register_entry(rnd.id, voter.entry_id)
    chosen = sorted(check.chosen_ids)
    channel = BallotChannel.ONLINE_CODE.value
    try:
        ballot, created = ballots.store_ballot(
            rnd.id,
            key,
            chosen,
            **check.stored_values(rnd),
            channel=channel,
            # A first vote never replaces anything; a replacement only the ballot with the receipt given.
            may_replace=Replacement(channel, voter.receipt) if voter.replacing else NEVER,
        )
    except AlreadyVoted:
        raise CodeAlreadyUsed() from None
    if voter.replacing and created:  # a used code always has its ballot; never a second one this way
        raise CodeAlreadyUsed()
    mark_voted(voter.entry_id, channel, same_channel_ok=voter.replacing)
    return ballot, created


def current_marks(voter: CodeVoter) -> BallotMarks:
    """What the voter's ballot holds, as marks (empty when they have none yet)."""
    key = voter_key_for_register_entry(voter.round.id, voter.entry_id)
    return ballots.stored_marks(stored_ballot(voter.round.id, key))


def voter_buurt(voter: CodeVoter) -> int | None:
    """The buurt the register puts this voter in (which buurt part of the ballot is theirs)."""
    return register_buurt(voter.entry_id)


def _consume(voter: CodeVoter) -> None:
    """The conditional update that makes a code single-use; zero rows means someone else used it first."""
    entries_at_postcode = select(RegisterEntry.id).where(RegisterEntry.postcode == voter.postcode)
    result: CursorResult[Any] = db.session.execute(  # type: ignore[assignment]
        update(VotingCode)
        .where(
            VotingCode.code_hash == voting_code_hash(voter.code),
            VotingCode.round_id == voter.round.id,
            VotingCode.status == CodeStatus.ACTIVE.value,
            VotingCode.register_entry_id.in_(entries_at_postcode),
        )
        .values(status=CodeStatus.USED.value)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        # Someone else changed the code first: used (a simultaneous vote) or revoked (a re-issue).
        status = db.session.scalar(
            select(VotingCode.status).where(VotingCode.code_hash == voting_code_hash(voter.code))
        )
        raise CodeNotRecognised() if status == CodeStatus.REVOKED.value else CodeAlreadyUsed()


def _ballot_with_receipt(round_id: int, entry_id: int, receipt: str) -> bool:
    stored = stored_ballot(round_id, voter_key_for_register_entry(round_id, entry_id))
    return stored is not None and stored.receipt_code == receipt


def _voting_refusal(rnd: Round) -> RuleViolation | None:
    if not ballots.voting_open(rnd):
        return RuleViolation(_l("You can only vote while voting is open."))
    return None
