"""Single codes: re-issue a lost code, or hand a code over at the desk (e.g. for a confidential address).

Rules and invariants:
- Only in rounds with letter codes, until voting closes (also during voting).
- Revoking the old code and issuing the new one happen in ONE transaction; the partial unique index on
  voting_codes keeps at most one live code per entry, whatever runs at the same time.
- Refused when the entry has already voted (through any channel).
- The new code is returned once, for the organiser's screen; only its hash is stored, and the audit event
  names the entry's reference, never the code.
- Locks are taken in the same order as the ballot path (code row, then register entry), so a re-issue and
  a vote with the old code never deadlock: one of them waits and then finds the other's result.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import CodeIssue, CodeStatus, Phase, RegisterEntry, Round, User, VotingCode
from app.services.audit import record_event
from app.services.codes.batches import letter_code_round
from app.services.codes.letters import Letter, address_key
from app.services.errors import NotFound, RuleViolation
from app.services.rounds.wijken import require_organiser
from app.services.voting.ballots import AlreadyVoted
from app.services.voting.voter_keys import format_voting_code, new_compact_voting_code, voting_code_hash
from app.translated import lazy_gettext as _l

SEARCH_LIMIT = 50


@dataclass(frozen=True)
class IssuedCode:
    """A freshly issued code (compact form) and the letter it belongs on; shown once, never stored."""

    round_id: int
    entry_id: int
    letter: Letter
    issued_via: str

    @property
    def printed_code(self) -> str:
        return format_voting_code(self.letter.code)

    @property
    def address(self) -> str:
        return address_key(self.letter)


def reissue_code(actor: User, round_id: int, reference: str) -> IssuedCode:
    """Replace the entry's code (lost letter): the old code is revoked, a new one issued, in one transaction."""
    return _issue(actor, round_id, reference, CodeIssue.REISSUE)


def issue_desk_code(actor: User, round_id: int, reference: str) -> IssuedCode:
    """Hand a code over in person (confidential addresses get no letter); any earlier code is revoked."""
    return _issue(actor, round_id, reference, CodeIssue.DESK)


def _issue(actor: User, round_id: int, reference: str, via: CodeIssue) -> IssuedCode:
    require_organiser(actor)
    rnd = _open_round(round_id)
    entry_id = db.session.scalar(
        select(RegisterEntry.id).where(
            RegisterEntry.round_id == rnd.id, RegisterEntry.reference == reference.strip()
        )
    )
    if entry_id is None:
        raise NotFound(_l("There is no register entry with this reference in this round."), field="reference")
    db.session.execute(
        update(VotingCode)
        .where(VotingCode.register_entry_id == entry_id, VotingCode.status == CodeStatus.ACTIVE.value)
        .values(status=CodeStatus.REVOKED.value)
        .execution_options(synchronize_session=False)
    )
    entry = db.session.scalars(
        select(RegisterEntry)
        .where(RegisterEntry.id == entry_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if entry.voted_channel is not None:
        db.session.rollback()
        raise AlreadyVoted(_l("This resident has already voted in this round; a new code is not needed."))
    code = new_compact_voting_code()
    try:
        with db.session.begin_nested():
            db.session.add(
                VotingCode(
                    round_id=rnd.id,
                    register_entry_id=entry.id,
                    code_hash=voting_code_hash(code),
                    status=CodeStatus.ACTIVE.value,
                    issued_via=via.value,
                )
            )
    except IntegrityError:
        # The old code was used in the meantime (a used code is still live): the resident has voted.
        db.session.rollback()
        raise AlreadyVoted(
            _l("This resident has already voted in this round; a new code is not needed.")
        ) from None
    record_event(actor, f"codes.{via.value}", round_id=rnd.id, subject=f"register {entry.reference}")
    letter = Letter(
        entry.reference, entry.postcode, entry.house_number, entry.house_number_addition or "", code
    )
    db.session.commit()
    return IssuedCode(rnd.id, entry.id, letter, via.value)


def _open_round(round_id: int) -> Round:
    rnd = letter_code_round(round_id)
    if rnd.phase in (Phase.CLOSED.value, Phase.PUBLISHED.value):
        raise RuleViolation(_l("Voting has closed: codes can no longer be issued."))
    return rnd


def find_register_entries(
    actor: User, round_id: int, *, reference: str = "", postcode: str = "", house_number: int | None = None
) -> list[RegisterEntry]:
    """Entries of a round by reference, or by postcode (+ house number); at most SEARCH_LIMIT."""
    require_organiser(actor)
    rnd = letter_code_round(round_id)
    query = select(RegisterEntry).where(RegisterEntry.round_id == rnd.id)
    if reference.strip():
        query = query.where(RegisterEntry.reference == reference.strip())
    elif postcode:
        query = query.where(RegisterEntry.postcode == postcode)
        if house_number is not None:
            query = query.where(RegisterEntry.house_number == house_number)
    else:
        return []
    order = (RegisterEntry.postcode, RegisterEntry.house_number, RegisterEntry.house_number_addition)
    return list(db.session.scalars(query.order_by(*order).limit(SEARCH_LIMIT)))


def live_code_status(entry_ids: list[int]) -> dict[int, VotingCode]:
    """The live (active or used) code of each entry that has one: how it was issued and whether it was used."""
    if not entry_ids:
        return {}
    codes = db.session.scalars(
        select(VotingCode).where(
            VotingCode.register_entry_id.in_(entry_ids), VotingCode.status != CodeStatus.REVOKED.value
        )
    )
    return {code.register_entry_id: code for code in codes}


def code_matches_entry(round_id: int, entry_id: int, code: str) -> bool:
    """Whether `code` (compact) is the entry's active code: the one-letter PDF prints only a real code."""
    found = db.session.scalar(
        select(VotingCode.id).where(
            VotingCode.round_id == round_id,
            VotingCode.register_entry_id == entry_id,
            VotingCode.code_hash == voting_code_hash(code),
            VotingCode.status == CodeStatus.ACTIVE.value,
        )
    )
    return found is not None


def letter_to_print(actor: User, round_id: int, entry_id: int, code: str) -> Letter | None:
    """The one letter for an entry's live code, to print at once; None when `code` is not that code.

    Each print is audited ("codes.letter_printed", naming the entry's reference, never the code), because a
    printed letter is a ballot in someone's hands: the log shows who printed which entry's letter.
    """
    require_organiser(actor)
    entry = db.session.get(RegisterEntry, entry_id)
    if entry is None or entry.round_id != round_id or not code_matches_entry(round_id, entry_id, code):
        return None
    letter_code_round(round_id)
    record_event(actor, "codes.letter_printed", round_id=round_id, subject=f"register {entry.reference}")
    db.session.commit()
    return Letter(
        entry.reference, entry.postcode, entry.house_number, entry.house_number_addition or "", code
    )
