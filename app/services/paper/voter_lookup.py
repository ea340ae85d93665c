"""Finding a voter's register entry from what a poll worker sees: a letter code with its postcode, or an address.

The same rules as online: a code counts only with the postcode it was sent to (a wrong code and a wrong postcode
get the same answer), and only while it is live and unused. By address, person-level registers also need the
birth date, because several residents share an address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from app import register_csv
from app.extensions import db
from app.models import CodeStatus, RegisterEntry, RegisterLevel, Round, VotingCode
from app.postcodes import normalise_postcode
from app.services.errors import RuleViolation
from app.services.rounds.wijken import InvalidFields
from app.services.voting.ballots import AlreadyVoted
from app.services.voting.voter_keys import normalise_voting_code, voting_code_hash
from app.translated import lazy_gettext as _l

HOUSE_NUMBER_MAX = 99_999


@dataclass(frozen=True)
class CodeIdentity:
    """A letter code as typed, and the postcode the resident gives."""

    code: str
    postcode: str


@dataclass(frozen=True)
class AddressIdentity:
    """An address from the register (and the birth date, for person-level registers)."""

    postcode: str
    house_number: int | None
    addition: str = ""
    birth_date: date | None = None


@dataclass(frozen=True)
class FoundVoter:
    entry: RegisterEntry
    code_hash: str | None  # set when the voter was identified by a letter code


def find_voter(rnd: Round, identity: CodeIdentity | AddressIdentity) -> FoundVoter:
    """The register entry `identity` points at in `rnd`. InvalidFields for unreadable input, RuleViolation
    (with the field) when nobody matches or the code cannot be used, AlreadyVoted when the entry voted."""
    if isinstance(identity, CodeIdentity):
        found = _by_code(rnd, identity)
    else:
        found = FoundVoter(_by_address(rnd, identity), None)
    if found.entry.voted_channel is not None:
        raise AlreadyVoted(_l("This resident has already voted in this round."))
    return found


def _by_code(rnd: Round, identity: CodeIdentity) -> FoundVoter:
    compact = normalise_voting_code(identity.code)
    postcode = normalise_postcode(identity.postcode)
    errors = {}
    if not identity.code.strip():
        errors["code"] = _l("Fill in the letter code, or choose to look the resident up in the register.")
    elif compact is None:
        errors["code"] = _l("This is not a valid voting code. Check it for typos.")
    if postcode is None:
        errors["postcode"] = _l("Fill in a postcode like 1234 AB.")
    if errors:
        raise InvalidFields(errors)
    assert compact is not None  # for mypy: checked above
    code_hash = voting_code_hash(compact)
    row = db.session.execute(
        select(VotingCode, RegisterEntry)
        .join(RegisterEntry, RegisterEntry.id == VotingCode.register_entry_id)
        .where(VotingCode.round_id == rnd.id, VotingCode.code_hash == code_hash)
    ).one_or_none()
    if row is None or row.RegisterEntry.postcode != postcode:
        raise RuleViolation(
            _l("This voting code and postcode do not belong together. Check both."), field="code"
        )
    if row.VotingCode.status == CodeStatus.USED.value:
        raise AlreadyVoted(_l("This voting code has already been used."))
    if row.VotingCode.status != CodeStatus.ACTIVE.value:
        raise RuleViolation(
            _l("This voting code is no longer valid: a new code has been issued."), field="code"
        )
    return FoundVoter(row.RegisterEntry, code_hash)


def _by_address(rnd: Round, identity: AddressIdentity) -> RegisterEntry:
    postcode = normalise_postcode(identity.postcode)
    person_level = rnd.register_level == RegisterLevel.PERSON.value
    errors = {}
    if postcode is None:
        errors["postcode"] = _l("Fill in a postcode like 1234 AB.")
    if identity.house_number is None or not 0 < identity.house_number <= HOUSE_NUMBER_MAX:
        errors["house_number"] = _l("Fill in the house number.")
    if person_level and identity.birth_date is None:
        errors["birth_date"] = _l("Fill in the date of birth.")
    if errors:
        raise InvalidFields(errors)
    stmt = select(RegisterEntry).where(
        RegisterEntry.round_id == rnd.id,
        RegisterEntry.postcode == postcode,
        RegisterEntry.house_number == identity.house_number,
        func.upper(RegisterEntry.house_number_addition) == normalise_addition(identity.addition),
    )
    if person_level:
        stmt = stmt.where(RegisterEntry.birth_date == identity.birth_date)
    entries = list(db.session.scalars(stmt.limit(2)))
    if not entries:
        raise RuleViolation(
            _l("Nobody in the voter register matches these details. Check them."), field="postcode"
        )
    if len(entries) > 1:
        raise RuleViolation(
            _l("Several residents match these details: use the letter code instead."), field="postcode"
        )
    return entries[0]


def normalise_addition(text: str) -> str:
    """A house-number addition as compared: the register import's form ("-a", " A ", "A" -> "A"; "2-hoog" ->
    "2HOOG"), so what a poll worker types matches what the import stored."""
    return register_csv.normalise_addition(text)
