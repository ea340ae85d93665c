"""Turnout while a round runs, so organisers can aim their outreach: by buurt, by channel and by age band,
against the eligible population (the register), read from the poll book (`RegisterEntry.voted_channel`).

Privacy rules:
- A group with fewer than 10 eligible residents or fewer than 10 voters is never shown: "fewer than 10".
- Totals are shown, so a single hidden group could be worked out by subtracting the groups shown from the total.
  Therefore, within each column of a dimension, as long as the hidden groups add up to fewer than 10 (always
  the case when exactly one is hidden; also when several hide nothing but zeros), the smallest group still
  shown is hidden too ("hidden to protect a small group"). What a reader can then work out is only the sum of
  the hidden groups, which is at least 10. A total below 10 is itself hidden.
- Rounds without a register (open eligibility, or the register already deleted) have no poll book and no
  eligible population: only the ballots by channel are shown, under the same rules.
The service returns plain data; it reads nothing but counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import InstrumentedAttribute

from app.ages import born_by
from app.extensions import db
from app.local_time import local_date
from app.models import Ballot, BallotChannel, Eligibility, RegisterEntry, Round, User
from app.services.errors import NotFound
from app.services.rounds.wijken import require_organiser
from app.translated import lazy_gettext as _l

MIN_GROUP = 10
AGE_BAND_STARTS = (18, 30, 45, 65)
UNKNOWN = "unknown"  # the key of the group without a buurt or without a birth date

CHANNELS_FOR = {
    Eligibility.LETTER_CODES.value: (BallotChannel.ONLINE_CODE, BallotChannel.PAPER, BallotChannel.ASSISTED),
    Eligibility.REGISTER_MATCH.value: (
        BallotChannel.ONLINE_ACCOUNT,
        BallotChannel.PAPER,
        BallotChannel.ASSISTED,
    ),
    Eligibility.OPEN.value: (BallotChannel.ONLINE_ACCOUNT,),
}


@dataclass(frozen=True)
class Count:
    """A number as it may be shown: `value` is None when hidden; `small` says it is fewer than 10 (otherwise
    it was hidden to protect a small group)."""

    value: int | None
    small: bool = False

    @property
    def hidden(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Row:
    """One group: its key (buurt id, channel, age band or "unknown"), its name, and its counts."""

    key: str
    name: str
    voted: Count
    eligible: Count | None = None  # None where the group has no population of its own (a channel)

    @property
    def share(self) -> Fraction | None:
        """Voters per eligible resident, when both are shown."""
        if self.eligible is None or self.eligible.value is None or self.voted.value is None:
            return None
        return Fraction(self.voted.value, self.eligible.value) if self.eligible.value else None


@dataclass(frozen=True)
class Turnout:
    round_id: int
    has_register: bool
    total: Row
    by_channel: list[Row]
    by_buurt: list[Row] | None  # None when the register names no buurten
    by_age: list[Row] | None  # None when the register has no birth dates (e.g. households)
    age_on: date  # ages are counted on the day voting opened


def protect(values: Sequence[int]) -> list[Count]:
    """The values of one column as they may be shown (see the module's privacy rules)."""
    hidden = [value < MIN_GROUP for value in values]
    if any(hidden):
        hidden_sum = sum(v for v, h in zip(values, hidden, strict=True) if h)
        shown = [i for i, h in enumerate(hidden) if not h]
        if hidden_sum < MIN_GROUP and shown:
            hidden[min(shown, key=lambda i: values[i])] = True
    return [
        Count(None, small=value < MIN_GROUP) if hide else Count(value)
        for value, hide in zip(values, hidden, strict=True)
    ]


def _total(value: int) -> Count:
    return Count(None, small=True) if value < MIN_GROUP else Count(value)


def round_turnout(actor: User, round_id: int) -> Turnout:
    """The turnout of a round (organisers only), with every small group hidden."""
    require_organiser(actor)
    rnd = db.session.get(Round, round_id)
    if rnd is None:
        raise NotFound(_l("This round does not exist."))
    age_on = local_date(rnd.voting_open_at)
    if rnd.eligibility == Eligibility.OPEN.value or rnd.register_deleted_at is not None:
        return _ballot_turnout(rnd, age_on)
    voted = func.count(RegisterEntry.voted_channel)
    eligible = func.count(RegisterEntry.id)
    where = RegisterEntry.round_id == rnd.id
    totals = db.session.execute(select(eligible, voted).where(where)).one()
    return Turnout(
        round_id=rnd.id,
        has_register=True,
        total=Row("total", "", _total(totals[1]), _total(totals[0])),
        by_channel=_channel_rows(rnd, _poll_book_channels(rnd.id)),
        by_buurt=_buurt_rows(rnd),
        by_age=_age_rows(rnd, age_on),
        age_on=age_on,
    )


def _ballot_turnout(rnd: Round, age_on: date) -> Turnout:
    stmt = select(Ballot.channel, func.count()).where(Ballot.round_id == rnd.id).group_by(Ballot.channel)
    counts: dict[str, int] = {channel: n for channel, n in db.session.execute(stmt).all()}
    return Turnout(
        round_id=rnd.id,
        has_register=False,
        total=Row("total", "", _total(sum(counts.values()))),
        by_channel=_channel_rows(rnd, counts),
        by_buurt=None,
        by_age=None,
        age_on=age_on,
    )


def _poll_book_channels(round_id: int) -> dict[str, int]:
    stmt = (
        select(RegisterEntry.voted_channel, func.count())
        .where(RegisterEntry.round_id == round_id, RegisterEntry.voted_channel.is_not(None))
        .group_by(RegisterEntry.voted_channel)
    )
    return {str(channel): n for channel, n in db.session.execute(stmt).all()}


def _channel_rows(rnd: Round, counts: dict[str, int]) -> list[Row]:
    """The channels this round can use, plus any other that holds votes, in the enum's order."""
    possible = {c.value for c in CHANNELS_FOR.get(rnd.eligibility, ())} | set(counts)
    keys = [c.value for c in BallotChannel if c.value in possible]
    return [
        Row(key, key, count)
        for key, count in zip(keys, protect([counts.get(k, 0) for k in keys]), strict=True)
    ]


def _rows(groups: list[tuple[str, str]], counts: dict[str, tuple[int, int]]) -> list[Row]:
    """Rows for (key, name) groups from {key: (eligible, voted)}; each column protected on its own."""
    eligible = protect([counts.get(key, (0, 0))[0] for key, _ in groups])
    voted = protect([counts.get(key, (0, 0))[1] for key, _ in groups])
    return [Row(key, name, v, e) for (key, name), e, v in zip(groups, eligible, voted, strict=True)]


def _grouped(
    rnd: Round, group: ColumnElement[Any] | InstrumentedAttribute[Any]
) -> dict[str, tuple[int, int]]:
    stmt = (
        select(group, func.count(RegisterEntry.id), func.count(RegisterEntry.voted_channel))
        .where(RegisterEntry.round_id == rnd.id)
        .group_by(group)
    )
    return {str(key) if key is not None else UNKNOWN: (n, v) for key, n, v in db.session.execute(stmt).all()}


def _buurt_rows(rnd: Round) -> list[Row] | None:
    counts = _grouped(rnd, RegisterEntry.buurt_id)
    if set(counts) <= {UNKNOWN}:
        return None
    groups = [(str(b.id), b.name) for b in rnd.wijk.buurten]
    if UNKNOWN in counts:
        groups.append((UNKNOWN, ""))
    return _rows(groups, counts)


def age_bands(min_age: int) -> list[tuple[str, int | None]]:
    """The age bands of a round as (label, first age of the next band): ("12-17", 18) from the minimum age when
    it is below 18, then ("18-29", 30), ("30-44", 45), ("45-64", 65) and ("65+", None)."""
    starts = ([min_age] if min_age < AGE_BAND_STARTS[0] else []) + list(AGE_BAND_STARTS)
    bands: list[tuple[str, int | None]] = [
        (f"{lo}-{hi - 1}", hi) for lo, hi in zip(starts, starts[1:], strict=False)
    ]
    return [*bands, (f"{starts[-1]}+", None)]


def _age_rows(rnd: Round, age_on: date) -> list[Row] | None:
    bands = age_bands(rnd.min_age)
    # Younger than `next_age` on `age_on` means born after the last birth date of somebody that old.
    born = RegisterEntry.birth_date
    band = case(
        (born.is_(None), UNKNOWN),
        *[(born > born_by(age_on, next_age), label) for label, next_age in bands if next_age is not None],
        else_=bands[-1][0],
    )
    counts = _grouped(rnd, band)
    if set(counts) <= {UNKNOWN}:
        return None
    groups = [(label, label) for label, _ in bands] + ([(UNKNOWN, "")] if UNKNOWN in counts else [])
    return _rows(groups, counts)
