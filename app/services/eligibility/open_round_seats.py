"""One person, one ballot in an open round, as far as self-declared data lets us tell.

An open round has no register, so the account is all we know. Two rules close the cheap ways around it:
- one ballot per mailbox: the ballot's voter key is of the *normalised* e-mail address (lower case, no
  `+tag`, and for Gmail no dots), so `name+1@` and `name+2@` are one voter with one ballot;
- one ballot per person: the first ballot of a mailbox takes a seat for its postcode, house number and date
  of birth; the round's `accounts_per_address` (1 unless an organiser raises it) says how many seats one
  person has. A mailbox changed after voting therefore finds the seat taken.
Both are unique keys in the database (`open_round_seats`), so concurrent ballots cannot both win. What stays
possible (said on the results page): several real mailboxes with made-up addresses or birth dates.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import OpenRoundSeat, Round, User
from app.register_csv import normalise_addition
from app.services.voting.voter_keys import person_key
from app.translated import lazy_gettext as _l

# Providers that deliver `first.last@` and `firstlast@` to the same mailbox.
DOTS_IGNORED = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def normalised_mailbox(address: str) -> str:
    """The mailbox an address delivers to: lower case, `+tag` removed, Gmail's dots removed."""
    local, _, domain = address.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in DOTS_IGNORED:
        local, domain = local.replace(".", ""), DOTS_IGNORED[domain]
    return f"{local}@{domain}"


def person_key_of(user: User, rnd: Round) -> str | None:
    """The keyed hash of who the account says it is, or None while its profile lacks part of it."""
    if not user.postcode or user.house_number is None or user.birth_date is None:
        return None
    addition = normalise_addition(user.house_number_addition or "")
    return person_key(rnd.id, user.postcode, user.house_number, addition, user.birth_date.isoformat())


def take_seat(rnd: Round, person: str, voter_key: str) -> bool:
    """Give the mailbox `voter_key` a seat of `person` in the caller's transaction; False when all of the
    person's seats are taken by other mailboxes. A mailbox that already has a seat keeps it."""
    if _has_seat(rnd.id, voter_key):
        return True
    for slot in range(1, rnd.accounts_per_address + 1):
        try:
            with db.session.begin_nested():
                db.session.add(
                    OpenRoundSeat(round_id=rnd.id, person_key=person, slot=slot, voter_key=voter_key)
                )
            return True
        except IntegrityError:
            if _has_seat(rnd.id, voter_key):  # a ballot of the same mailbox took it at the same moment
                return True
    return False


def _has_seat(round_id: int, voter_key: str) -> bool:
    stmt = select(OpenRoundSeat.slot).where(
        OpenRoundSeat.round_id == round_id, OpenRoundSeat.voter_key == voter_key
    )
    return db.session.scalar(stmt) is not None


def delete_seats(round_id: int) -> int:
    """Delete the round's seats (the retention purge: they are derived from personal data); no commit."""
    stmt = delete(OpenRoundSeat).where(OpenRoundSeat.round_id == round_id)
    return int(db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount or 0)  # type: ignore[attr-defined]


SEAT_TAKEN = _l(
    "Someone with the same postcode, house number and date of birth has already voted in this round. Each "
    "resident can vote once. Is this a mistake? Contact the organisers of the round."
)
