"""Register match: a resident links their account to an entry of the round's voter register, and a task verifies it.

Rules:
- Only in rounds whose eligibility is `register_match`, until voting closes.
- The resident gives postcode + house number (+ addition), and for person-level registers their date of birth;
  the entry is looked up at once (a wrong address is reported right away) and the claim is stored PENDING.
- One live (pending or verified) claim per account per round and per entry: partial unique indexes decide, so
  two accounts can never share an entry (for a household register: one vote per household).
- `verify_register_matches` decides every pending claim: the entry still exists in the round, it is old enough
  on the day voting opens (when the register knows the birth date), and it has not voted through another
  channel (letter code, paper). It then turns the account's PENDING ballot (found by the entry's voter key)
  into COUNTED or REJECTED. Running it twice changes nothing the second time.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from app import register_csv
from app.extensions import db
from app.models import (
    Ballot,
    BallotChannel,
    BallotStatus,
    Eligibility,
    MatchStatus,
    Phase,
    RegisterEntry,
    RegisterLevel,
    RegisterMatch,
    Round,
    User,
)
from app.models.base import utcnow
from app.postcodes import normalise_postcode
from app.services.eligibility.open_rounds import old_enough
from app.services.errors import RuleViolation
from app.services.jobs import enqueue_job
from app.services.proposals.submissions import visible_round
from app.services.voting.voter_keys import voter_key_for_register_entry
from app.translated import lazy_gettext as _l

log = logging.getLogger(__name__)

LIVE = or_(
    RegisterMatch.status == MatchStatus.PENDING.value, RegisterMatch.status == MatchStatus.VERIFIED.value
)


VERIFY_TASK = "wijkbudget.verify_register_matches"


class Rejection(enum.StrEnum):
    """Why a claim was rejected; stored on the match, put into words when shown."""

    NOT_IN_REGISTER = "not_in_register"
    TOO_YOUNG = "too_young"
    VOTED_ELSEWHERE = "voted_elsewhere"


@dataclass(frozen=True)
class VerificationSummary:
    verified: int
    rejected: int
    ballots_settled: int


def request_match(
    actor: User,
    round_id: int,
    *,
    postcode: str,
    house_number: int | None,
    addition: str = "",
    birth_date: date | None = None,
) -> RegisterMatch:
    """Store the actor's PENDING claim to the register entry at this address (see the module rules). One
    transaction; the job `wijkbudget.verify_register_matches` checks it after the commit."""
    rnd = visible_round(round_id)
    _check_round_takes_claims(rnd)
    normalised, number = _checked_address(rnd, postcode, house_number, birth_date)
    if live_match(actor.id, rnd.id) is not None:
        raise RuleViolation(_l("Your account is already linked to an address in this round."))
    candidates = _entries_at(rnd, normalised, number, addition, birth_date)
    if not candidates:
        raise RuleViolation(
            _l(
                "We could not find this address in the voter register of this round. Check the postcode, "
                "house number and addition."
            )
            if rnd.register_level == RegisterLevel.HOUSEHOLD.value
            else _l(
                "We could not find a resident with this address and date of birth in the voter register "
                "of this round. Check what you filled in."
            )
        )
    claimed = set(
        db.session.scalars(
            select(RegisterMatch.register_entry_id).where(
                RegisterMatch.register_entry_id.in_([e.id for e in candidates]), LIVE
            )
        )
    )
    free = [entry for entry in candidates if entry.id not in claimed]
    if not free:
        raise _claimed_by_another(rnd)
    return _store_claim(actor, rnd, free[0])


def _check_round_takes_claims(rnd: Round) -> None:
    if rnd.eligibility != Eligibility.REGISTER_MATCH.value:
        raise RuleViolation(_l("In this round you do not need to link your account to the voter register."))
    if rnd.phase in (Phase.CLOSED.value, Phase.PUBLISHED.value):
        raise RuleViolation(_l("Voting has closed, so linking your account is no longer possible."))


def _checked_address(
    rnd: Round, postcode: str, house_number: int | None, birth_date: date | None
) -> tuple[str, int]:
    """The normalised postcode and the house number; RuleViolation on the field that is wrong or missing."""
    normalised = normalise_postcode(postcode)
    if normalised is None:
        raise RuleViolation(_l("Fill in a postcode like 1234 AB."), field="postcode")
    if house_number is None or house_number <= 0:
        raise RuleViolation(_l("Fill in your house number, for example 12."), field="house_number")
    if rnd.register_level == RegisterLevel.PERSON.value and birth_date is None:
        raise RuleViolation(_l("Fill in your date of birth."), field="birth_date")
    return normalised, house_number


def _entries_at(
    rnd: Round, postcode: str, house_number: int, addition: str, birth_date: date | None
) -> list[RegisterEntry]:
    """The register entries at this address; for a person-level register only those with this date of birth
    (or without one in the register), exact birth dates first. Additions compare without case, spaces or
    dashes ("2-hoog" is "2 HOOG")."""
    at_address = db.session.scalars(
        select(RegisterEntry)
        .where(
            RegisterEntry.round_id == rnd.id,
            RegisterEntry.postcode == postcode,
            RegisterEntry.house_number == house_number,
        )
        .order_by(RegisterEntry.id)
    ).all()
    wanted = _addition_key(addition)
    entries = [e for e in at_address if _addition_key(e.house_number_addition) == wanted]
    if rnd.register_level != RegisterLevel.PERSON.value:
        return entries
    exact = [e for e in entries if e.birth_date == birth_date]
    return exact + [e for e in entries if e.birth_date is None]


def _addition_key(addition: str | None) -> str:
    return register_csv.normalise_addition(addition or "")


def _store_claim(actor: User, rnd: Round, entry: RegisterEntry) -> RegisterMatch:
    match = RegisterMatch(
        round_id=rnd.id, user_id=actor.id, register_entry_id=entry.id, status=MatchStatus.PENDING.value
    )
    try:
        with db.session.begin_nested():
            db.session.add(match)
    except IntegrityError:
        # Another request won the race; the partial unique indexes say who holds what.
        db.session.rollback()
        if live_match(actor.id, rnd.id) is not None:
            raise RuleViolation(_l("Your account is already linked to an address in this round.")) from None
        raise _claimed_by_another(rnd) from None
    enqueue_job(VERIFY_TASK, rnd.id, round_id=rnd.id)
    db.session.commit()
    return match


def _claimed_by_another(rnd: Round) -> RuleViolation:
    if rnd.register_level == RegisterLevel.HOUSEHOLD.value:
        return RuleViolation(
            _l(
                "Another account is already linked to this address. In this round every household has one "
                "vote, so only one account per address can vote. Someone else in your household may have "
                "linked their account already."
            )
        )
    return RuleViolation(
        _l(
            "Another account is already linked to this resident. Each resident can link one account. "
            "If this is not right, contact the organisers of the round."
        )
    )


def live_match(user_id: int, round_id: int, *, lock: bool = False) -> RegisterMatch | None:
    """The account's pending or verified claim in the round. `lock` share-locks it until the transaction ends,
    so a verification cannot decide it halfway through storing a ballot."""
    stmt = select(RegisterMatch).where(
        RegisterMatch.user_id == user_id, RegisterMatch.round_id == round_id, LIVE
    )
    if lock:
        stmt = stmt.with_for_update(read=True).execution_options(populate_existing=True)
    return db.session.scalars(stmt).one_or_none()


def latest_match(user_id: int, round_id: int) -> RegisterMatch | None:
    """What the resident sees on the round page: their live claim, otherwise their last rejected one."""
    live = live_match(user_id, round_id)
    if live is not None:
        return live
    return db.session.scalars(
        select(RegisterMatch)
        .where(RegisterMatch.user_id == user_id, RegisterMatch.round_id == round_id)
        .order_by(RegisterMatch.id.desc())
        .limit(1)
    ).first()


def rejection_text(match: RegisterMatch) -> Any:
    """The reason of a rejected claim in the reader's language."""
    reason = match.reason or ""
    if reason == Rejection.TOO_YOUNG.value:
        return _l("According to the voter register you are not old enough to vote in this round.")
    if reason.startswith(Rejection.VOTED_ELSEWHERE.value):
        return _l("This resident has already voted in this round with a voting code or on paper.")
    return _l("This address is no longer in the voter register of this round.")


def verify_register_matches(round_id: int) -> VerificationSummary:
    """Decide every pending claim of the round (each in its own transaction), then settle its pending
    ballots. Idempotent: a decided claim is never decided again, a settled ballot never changes again."""
    pending = db.session.scalars(
        select(RegisterMatch.id)
        .where(RegisterMatch.round_id == round_id, RegisterMatch.status == MatchStatus.PENDING.value)
        .order_by(RegisterMatch.id)
    ).all()
    verified = rejected = 0
    for match_id in pending:
        decided = _decide(match_id)
        db.session.commit()
        verified += decided == MatchStatus.VERIFIED
        rejected += decided == MatchStatus.REJECTED
    settled = settle_pending_ballots(round_id)
    db.session.commit()
    return VerificationSummary(verified=verified, rejected=rejected, ballots_settled=settled)


def _decide(match_id: int) -> MatchStatus | None:
    """Lock one pending claim, verify it and flip the ballot of its entry; None when it was decided already."""
    match = db.session.scalars(
        select(RegisterMatch)
        .where(RegisterMatch.id == match_id, RegisterMatch.status == MatchStatus.PENDING.value)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if match is None:
        return None
    rnd = db.session.get(Round, match.round_id)
    entry = db.session.get(RegisterEntry, match.register_entry_id) if match.register_entry_id else None
    assert rnd is not None
    reason = _rejection(entry, rnd)
    decision = MatchStatus.VERIFIED if reason is None else MatchStatus.REJECTED
    match.status, match.reason, match.decided_at = decision.value, reason, utcnow()
    if entry is not None:
        ballot_status = BallotStatus.COUNTED if reason is None else BallotStatus.REJECTED
        _settle(rnd.id, [voter_key_for_register_entry(rnd.id, entry.id)], ballot_status)
    return decision


def _rejection(entry: RegisterEntry | None, rnd: Round) -> str | None:
    if entry is None or entry.round_id != rnd.id:
        return Rejection.NOT_IN_REGISTER.value
    if entry.birth_date is not None and not old_enough(entry.birth_date, rnd):
        return Rejection.TOO_YOUNG.value
    if entry.voted_channel not in (None, BallotChannel.ONLINE_ACCOUNT.value):
        return f"{Rejection.VOTED_ELSEWHERE.value}:{entry.voted_channel}"
    return None


def settle_pending_ballots(round_id: int) -> int:
    """Give every pending account ballot of the round the status of its claim: counted when verified,
    rejected when no live claim stands behind it (rejected, or gone with its register entry); returns how many
    changed. Ballots are read before claims, so a ballot stored after the read is never judged without its
    claim."""
    keys = db.session.scalars(
        select(Ballot.voter_key).where(
            Ballot.round_id == round_id,
            Ballot.status == BallotStatus.PENDING.value,
            Ballot.channel == BallotChannel.ONLINE_ACCOUNT.value,
        )
    ).all()
    if not keys:
        return 0
    claims = db.session.execute(
        select(RegisterMatch.register_entry_id, RegisterMatch.status).where(
            RegisterMatch.round_id == round_id, RegisterMatch.register_entry_id.is_not(None), LIVE
        )
    ).all()
    status_by_key = {
        voter_key_for_register_entry(round_id, entry_id): status
        for entry_id, status in claims
        if entry_id is not None
    }
    verified = [k for k in keys if status_by_key.get(k) == MatchStatus.VERIFIED.value]
    orphaned = [k for k in keys if k not in status_by_key]
    return _settle(round_id, verified, BallotStatus.COUNTED) + _settle(
        round_id, orphaned, BallotStatus.REJECTED
    )


def _settle(round_id: int, keys: list[str], status: BallotStatus) -> int:
    if not keys:
        return 0
    result = db.session.execute(
        update(Ballot)
        .where(
            Ballot.round_id == round_id,
            Ballot.voter_key.in_(keys),
            Ballot.status == BallotStatus.PENDING.value,
            Ballot.channel == BallotChannel.ONLINE_ACCOUNT.value,
        )
        .values(status=status.value)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def rounds_with_pending_verification() -> list[int]:
    """Ids of rounds with pending claims or pending ballots: the work the beat task looks for."""
    with_claims = select(RegisterMatch.round_id).where(RegisterMatch.status == MatchStatus.PENDING.value)
    with_ballots = select(Ballot.round_id).where(Ballot.status == BallotStatus.PENDING.value)
    return sorted(set(db.session.scalars(with_claims.union(with_ballots))))


def verify_all_pending() -> list[int]:
    """Verify every round with pending claims or ballots (the sweep's step); returns their ids."""
    round_ids = rounds_with_pending_verification()
    for round_id in round_ids:
        verify_register_matches(round_id)
    return round_ids
