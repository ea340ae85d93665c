"""The urn and its seal: how a cast ballot reaches the ballot box without a trace back to the poll book.

A cast is one transaction that marks the voter (the poll book, a used code) and drops the ballot into the urn
(`ballot_urn`). Everything that transaction writes carries its transaction id, so an urn row can be linked to
the poll-book row beside it; that is why urn rows do not stay. The seal (`seal_round`) takes the waiting
ballots of a round, shuffles them, writes them into `ballots` with fresh random ids (a changed ballot replaces
the choices of its sealed ballot) and deletes the urn rows, all in one transaction of its own. Afterwards the
ballots of a batch share the seal's transaction id, sit on disk in shuffled order, and carry no time, so a
ballot can only be placed in its batch. During voting the sweep seals a round once `SEAL_MIN_BATCH` ballots
wait (a batch is the crowd a ballot hides in); at close a job seals the rest, and counting seals first too.

Rules:
- One waiting ballot per voter: UNIQUE(round_id, voter_key) on the urn; a second cast of the same voter
  replaces it (when `Replacement` allows), else AlreadyVoted. Together with UNIQUE(round_id, voter_key) on
  `ballots` and the check against the sealed ballot right after the upsert, the database keeps one ballot per
  voter (the upsert waits for a seal that holds the voter's urn row, so the check then sees the sealed ballot).
- A changed ballot keeps its receipt code. A new ballot whose receipt code a sealed ballot already has (about
  one chance in 10^16) gets a new one at the seal, rather than being lost.
- The audit log gets one event per seal: how many ballots were sealed and how many of them were changes. No
  event per ballot, nothing that says which ballot or exactly when.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import RowMapping, delete, func, insert, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db
from app.models import Ballot, BallotChoice, Phase, Round, UrnBallot
from app.services.audit import record_event
from app.services.voting.voter_keys import new_receipt_code

SEAL_MIN_BATCH = 50  # during voting: seal a round only when at least this many ballots wait
SEAL_TASK = "wijkbudget.seal_ballots"
CHUNK = 1000  # ids per IN (...) list

Choice = tuple[int, int | None, int | None]  # project id, points, rank
T = TypeVar("T")


class AlreadyInBallotBox(Exception):
    """The voter has a ballot (waiting or sealed) that this cast may not replace. Nothing was stored."""


@dataclass(frozen=True)
class Replacement:
    """Which existing ballot of the same voter a cast may replace: one of `channel` (None: none at all) and,
    when `receipt` is given, only the one with that receipt code."""

    channel: str | None
    receipt: str | None = None

    def allows(self, channel: str, receipt: str) -> bool:
        return self.channel == channel and (self.receipt is None or self.receipt == receipt)

    def condition(self) -> ColumnElement[bool]:
        if self.channel is None:
            return ~true()
        allowed = UrnBallot.channel == self.channel
        return allowed & (UrnBallot.receipt_code == self.receipt) if self.receipt is not None else allowed


NEVER = Replacement(None)


@dataclass(frozen=True)
class StoredBallot:
    """A voter's ballot as stored, waiting or sealed: what the receipt page and the "change" form need."""

    receipt_code: str
    channel: str
    status: str
    choices: tuple[Choice, ...]

    @property
    def project_ids(self) -> list[int]:
        return [pid for pid, _, _ in self.choices]


def drop_in_urn(
    round_id: int,
    key: str,
    choices: Sequence[Choice],
    *,
    channel: str,
    status: str,
    may_replace: Replacement,
) -> tuple[StoredBallot, bool]:
    """Store voter `key`'s ballot in the urn inside the caller's transaction; returns (ballot, created). No commit.

    One upsert (insert, or replace the voter's waiting ballot when `may_replace` allows it), then one look for a
    sealed ballot of the voter: a cast that finds one is a change of it (kept receipt code) or refused.
    Raises AlreadyInBallotBox when the voter has a ballot this cast may not replace.
    """
    new_id = uuid.uuid4()
    stored_choices = [list(c) for c in sorted(choices)]
    values = {
        "id": new_id,
        "round_id": round_id,
        "voter_key": key,
        "receipt_code": new_receipt_code(),
        "channel": channel,
        "status": status,
        "choices": stored_choices,
        "changes": 0,
    }
    upsert = _insert_for_dialect().values(**values)
    upsert = upsert.on_conflict_do_update(
        index_elements=[UrnBallot.round_id, UrnBallot.voter_key],
        set_={
            "choices": upsert.excluded.choices,
            "status": upsert.excluded.status,
            "changes": UrnBallot.changes + 1,
        },
        where=may_replace.condition(),
    ).returning(UrnBallot.id, UrnBallot.receipt_code)
    row = db.session.execute(upsert).one_or_none()
    if row is None:
        raise AlreadyInBallotBox()
    receipt, created = row.receipt_code, row.id == new_id
    if created:
        sealed = db.session.execute(
            select(Ballot.channel, Ballot.receipt_code).where(
                Ballot.round_id == round_id, Ballot.voter_key == key
            )
        ).one_or_none()
        if sealed is not None:
            if not may_replace.allows(sealed.channel, sealed.receipt_code):
                raise AlreadyInBallotBox()
            receipt, created = sealed.receipt_code, False
            db.session.execute(
                update(UrnBallot).where(UrnBallot.id == new_id).values(receipt_code=receipt, changes=1)
            )
    return StoredBallot(receipt, channel, status, tuple(tuple(c) for c in stored_choices)), created  # type: ignore[misc]


def _insert_for_dialect() -> Any:
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(UrnBallot)


def stored_ballot(round_id: int, key: str, channel: str | None = None) -> StoredBallot | None:
    """Voter `key`'s ballot: the waiting one (the newest) if there is one, else the sealed one; None if neither.
    With `channel`, only a ballot cast through that channel."""
    urn = select(UrnBallot).where(UrnBallot.round_id == round_id, UrnBallot.voter_key == key)
    waiting = db.session.scalar(urn if channel is None else urn.where(UrnBallot.channel == channel))
    if waiting is not None:
        return StoredBallot(
            waiting.receipt_code, waiting.channel, waiting.status, tuple(tuple(c) for c in waiting.choices)
        )
    box = select(Ballot).where(Ballot.round_id == round_id, Ballot.voter_key == key)
    sealed = db.session.scalar(box if channel is None else box.where(Ballot.channel == channel))
    if sealed is None:
        return None
    choices = tuple((c.project_id, c.points, c.rank) for c in sealed.choices)
    return StoredBallot(sealed.receipt_code, sealed.channel, sealed.status, choices)


@dataclass(frozen=True)
class SealReport:
    sealed: int  # ballots moved into the ballot box (new ones and changes)
    changed: int  # of which ballots the voter changed since they were cast or last sealed


def seal_round(round_id: int, *, at_least: int = 1) -> SealReport:
    """Move the round's waiting ballots into the ballot box, shuffled, under fresh ids; no commit.

    Only when at least `at_least` wait (the sweep passes SEAL_MIN_BATCH during voting; closing and counting
    seal whatever waits). Rows a cast holds right now are skipped (they are sealed next time), so a seal never
    waits for a cast. Records one audit event "ballots.sealed" with the two numbers.
    """
    waiting = list(
        db.session.execute(
            select(UrnBallot.__table__)
            .where(UrnBallot.round_id == round_id)
            .with_for_update(skip_locked=True)
        ).mappings()
    )
    if not waiting or len(waiting) < at_least:
        return SealReport(0, 0)
    rng = secrets.SystemRandom()
    rng.shuffle(waiting)
    sealed_ids = _sealed_ids(round_id, [row["voter_key"] for row in waiting])
    changes = [row for row in waiting if row["voter_key"] in sealed_ids]  # changes of a sealed ballot
    new = [row for row in waiting if row["voter_key"] not in sealed_ids]
    receipts = _unused_receipts([row["receipt_code"] for row in new])
    ballot_ids = {row["voter_key"]: uuid.uuid4() for row in new} | sealed_ids
    _replace_sealed_choices(changes, sealed_ids)
    if new:
        db.session.execute(
            insert(Ballot),
            [
                {
                    "id": ballot_ids[row["voter_key"]],
                    "round_id": round_id,
                    "voter_key": row["voter_key"],
                    "receipt_code": receipt,
                    "channel": row["channel"],
                    "status": row["status"],
                }
                for row, receipt in zip(new, receipts, strict=True)
            ],
        )
    choice_rows = [
        {
            "ballot_id": ballot_ids[row["voter_key"]],
            "round_id": round_id,
            "project_id": pid,
            "points": pts,
            "rank": rank,
        }
        for row in waiting
        for pid, pts, rank in row["choices"]
    ]
    rng.shuffle(choice_rows)
    if choice_rows:
        db.session.execute(insert(BallotChoice), choice_rows)
    for ids in _chunks([row["id"] for row in waiting]):
        db.session.execute(delete(UrnBallot).where(UrnBallot.id.in_(ids)))
    report = SealReport(sealed=len(waiting), changed=sum(1 for row in waiting if row["changes"]))
    record_event(
        None,
        "ballots.sealed",
        round_id=round_id,
        details={"sealed": report.sealed, "changed": report.changed},
    )
    return report


def _sealed_ids(round_id: int, keys: list[str]) -> dict[str, uuid.UUID]:
    found: dict[str, uuid.UUID] = {}
    for chunk in _chunks(keys):
        rows = db.session.execute(
            select(Ballot.voter_key, Ballot.id).where(
                Ballot.round_id == round_id, Ballot.voter_key.in_(chunk)
            )
        )
        found.update({key: ballot_id for key, ballot_id in rows})
    return found


def _unused_receipts(wanted: list[str]) -> list[str]:
    """The receipt codes for new ballots: as given, except one a sealed ballot (or an earlier one in this batch)
    already has, which is drawn again."""
    taken: set[str] = set()
    for chunk in _chunks(wanted):
        taken.update(db.session.scalars(select(Ballot.receipt_code).where(Ballot.receipt_code.in_(chunk))))
    out: list[str] = []
    for receipt in wanted:
        while receipt in taken:
            receipt = new_receipt_code()
        taken.add(receipt)
        out.append(receipt)
    return out


def _replace_sealed_choices(changes: Sequence[RowMapping], sealed_ids: dict[str, uuid.UUID]) -> None:
    """A change replaces its sealed ballot's choices and status (the receipt code and channel stay)."""
    if not changes:
        return
    ids = [sealed_ids[row["voter_key"]] for row in changes]
    for chunk in _chunks(ids):
        db.session.execute(delete(BallotChoice).where(BallotChoice.ballot_id.in_(chunk)))
    for status in {row["status"] for row in changes}:
        same = [sealed_ids[row["voter_key"]] for row in changes if row["status"] == status]
        for chunk in _chunks(same):
            db.session.execute(
                update(Ballot)
                .where(Ballot.id.in_(chunk))
                .values(status=status)
                .execution_options(synchronize_session=False)
            )


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def rounds_with_waiting_ballots() -> list[int]:
    return sorted(db.session.scalars(select(UrnBallot.round_id).distinct()))


def seal_due_urns() -> list[int]:
    """The sweep's step: seal every round whose urn is due (SEAL_MIN_BATCH waiting during voting, anything once
    voting is over), each round in a transaction of its own; returns the rounds sealed."""
    done = []
    for round_id in rounds_with_waiting_ballots():
        phase = db.session.scalar(select(Round.phase).where(Round.id == round_id))
        at_least = SEAL_MIN_BATCH if phase == Phase.VOTING.value else 1
        if seal_round(round_id, at_least=at_least).sealed:
            done.append(round_id)
        db.session.commit()
    return done


def seal_closed_round(round_id: int) -> int:
    """The seal job after voting closes: everything left in the round's urn; returns how many were sealed."""
    report = seal_round(round_id)
    db.session.commit()
    return report.sealed


def ballots_in_round(round_id: int, column: Any) -> Iterable[tuple[Any, int]]:
    """(value of `column`, count) over the round's ballots, waiting and sealed: `column` is "channel" or
    "status"."""
    counts: dict[Any, int] = {}
    for model in (UrnBallot, Ballot):
        col = getattr(model, column)
        for value, n in db.session.execute(
            select(col, func.count()).where(model.round_id == round_id).group_by(col)
        ):
            counts[value] = counts.get(value, 0) + int(n)
    return counts.items()
