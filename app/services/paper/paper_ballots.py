"""Paper and assisted ballots: a poll worker enters one, a second poll worker confirms (or rejects) it.

Rules:
- Only while voting is open, only in rounds with a voter register (letter codes or register match), and only
  by poll workers, organisers or admins.
- The voter is identified by the letter code (+ postcode) or by the register entry (`app.services.paper.voter_lookup`);
  a resident who already voted, or who already has an entry waiting, is refused at once (the unique constraints
  on `paper_entries` keep one waiting entry per voter and per code even when two tables enter them together).
- An assisted ballot (entered on behalf of a resident) needs the resident's consent (a check constraint too).
- Poll workers work only at the locations they are assigned to, organisers at those of their wijken
  (`app.services.paper.polling.require_location`).
- A second, different poll worker decides (the `four_eyes` check constraint), and not one whom the first made
  a poll worker, nor the one who made the first a poll worker: one person with a second account of their own
  must not be both pairs of eyes. Confirming is the ballot path: ONE
  transaction consumes the code (conditional update active -> used), stores the ballot with the register voter's
  key and channel paper or assisted in the urn (never replacing and never replaceable) and marks the poll book;
  the poll worker's decision is audited, the ballot itself is not (the seal counts them). If the resident meanwhile voted another way, the entry is
  rejected instead and nothing is counted.
- Entries still waiting when voting closes are rejected then (`discard_waiting_entries`, called by the phase
  change): a ballot counts only once confirmed while voting is open.
- Deciding (confirming or rejecting) erases the entry's link to the voter (a check constraint) and its choices:
  from then on only the anonymous ballot holds the content.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import (
    BallotChannel,
    CodeStatus,
    Eligibility,
    PaperEntry,
    PaperEntryStatus,
    PollingLocation,
    Project,
    Round,
    User,
    VotingCode,
)
from app.models.base import utcnow
from app.services.audit import record_event
from app.services.errors import NotFound, RuleViolation
from app.services.paper.polling import require_location, require_poll_worker
from app.services.paper.voter_lookup import AddressIdentity, CodeIdentity, find_voter
from app.services.rounds.wijken import InvalidFields
from app.services.voting.ballots import (
    AlreadyVoted,
    BallotMarks,
    BallotRejected,
    check_ballot,
    lock_round_for_voting,
    store_ballot,
    stored_values,
    voting_open,
)
from app.services.voting.poll_book import mark_voted
from app.services.voting.urn import NEVER
from app.services.voting.voter_keys import voter_key_for_register_entry
from app.translated import lazy_gettext as _l

REASON_MAX = 500


def enter_paper_ballot(
    actor: User,
    location_id: int,
    identity: CodeIdentity | AddressIdentity,
    marks: BallotMarks | Iterable[object],
    *,
    assisted: bool = False,
    consent: bool = False,
) -> PaperEntry:
    """Save a PENDING paper entry for the identified voter; it counts only once a second poll worker confirms.

    Raises InvalidFields (unreadable input, missing consent), BallotRejected (the choice breaks the kaders),
    AlreadyVoted / RuleViolation (nobody matches, the resident voted or already has a waiting entry).
    """
    location, rnd = _location_and_round(actor, location_id)
    _require_paper_voting(rnd)
    if assisted and not consent:
        raise InvalidFields({"consent": _l("An assisted vote needs the resident's consent: tick the box.")})
    found = find_voter(rnd, identity)
    if _has_pending_entry(found.entry.id):
        raise _pending_already()
    check = check_ballot(rnd, marks, register_buurt_id=found.entry.buurt_id, for_poll_worker=True)
    if not check.ok:
        raise BallotRejected(check)
    entry = PaperEntry(
        round_id=rnd.id,
        location_id=location.id,
        entered_by_id=actor.id,
        assisted=assisted,
        consent_recorded=consent,
        project_ids=sorted(check.chosen_ids),
        choice_values={str(pid): value for pid, value in check.values.items()},
        register_entry_id=found.entry.id,
        code_hash=found.code_hash,
    )
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:  # another table entered the same resident a moment ago
        db.session.rollback()
        raise _pending_already() from None
    record_event(
        actor, "paper_entry.entered", round_id=rnd.id, subject=_subject(entry), details=_about(entry)
    )
    db.session.commit()
    return entry


def _location_and_round(actor: User, location_id: int) -> tuple[PollingLocation, Round]:
    require_poll_worker(actor)
    location = db.session.get(PollingLocation, location_id)
    if location is None:
        raise NotFound(_l("This polling location does not exist."))
    require_location(actor, location)
    return location, db.session.get_one(Round, location.round_id)


def _require_paper_voting(rnd: Round) -> None:
    if not voting_open(rnd):
        raise RuleViolation(_l("Voting is not open in this round."))
    if rnd.eligibility == Eligibility.OPEN.value:
        raise RuleViolation(_l("Paper ballots need a voter register, and this round has none."))


def _has_pending_entry(register_entry_id: int) -> bool:
    stmt = select(PaperEntry.id).where(PaperEntry.register_entry_id == register_entry_id)
    return db.session.scalar(stmt) is not None


def _pending_already() -> RuleViolation:
    return RuleViolation(_l("A paper ballot for this resident is already waiting for confirmation."))


@dataclass(frozen=True)
class PendingEntry:
    """A waiting entry as the confirming poll worker sees it: what to compare with the paper ballot. Not the
    voter's address: the second poll worker checks the choices, and needs not know whose they are."""

    id: int
    entered_by: str
    entered_by_id: int | None
    created_at: datetime
    assisted: bool
    by_code: bool
    projects: list[Project]
    values: dict[int, int]  # points or rank per project, on a points or ranked ballot

    @property
    def total_cents(self) -> int:
        return sum(p.cost_cents for p in self.projects)


def pending_entries(actor: User, location_id: int) -> list[PendingEntry]:
    """The entries of a location that wait for a second poll worker, oldest first."""
    _location_and_round(actor, location_id)
    rows = db.session.execute(
        select(PaperEntry, User.name)
        .outerjoin(User, User.id == PaperEntry.entered_by_id)
        .where(PaperEntry.location_id == location_id, PaperEntry.status == PaperEntryStatus.PENDING.value)
        .order_by(PaperEntry.created_at, PaperEntry.id)
    ).all()
    wanted = {pid for entry, _ in rows for pid in entry.project_ids}
    projects = {p.id: p for p in db.session.scalars(select(Project).where(Project.id.in_(wanted)))}
    return [
        PendingEntry(
            id=entry.id,
            entered_by=name or "",
            entered_by_id=entry.entered_by_id,
            created_at=entry.created_at,
            assisted=entry.assisted,
            by_code=entry.code_hash is not None,
            projects=[projects[pid] for pid in entry.project_ids if pid in projects],
            values={int(pid): value for pid, value in (entry.choice_values or {}).items()},
        )
        for entry, name in rows
    ]


def confirm_paper_entry(actor: User, entry_id: int) -> str:
    """Turn a pending entry into a counted ballot (the ballot path, one transaction); returns the receipt code.

    The second poll worker must differ from the first. If the resident meanwhile voted through another channel
    (or the code was used or revoked), the entry is rejected and committed as such, and AlreadyVoted is raised.
    """
    require_poll_worker(actor)
    entry, rnd = _locked_for_decision(actor, entry_id)
    voter_id = entry.register_entry_id
    assert voter_id is not None  # a pending entry always holds its voter (set on entry, erased on decision)
    channel = (BallotChannel.ASSISTED if entry.assisted else BallotChannel.PAPER).value
    try:
        with db.session.begin_nested():
            _consume_code(entry.code_hash, voter_id)
            ballot, _created = store_ballot(
                rnd.id,
                voter_key_for_register_entry(rnd.id, voter_id),
                list(entry.project_ids),
                **stored_values(rnd, {int(pid): v for pid, v in (entry.choice_values or {}).items()}),
                channel=channel,
                may_replace=NEVER,  # paper never replaces and is never replaced
            )
            mark_voted(voter_id, channel)
    except AlreadyVoted:
        _decide(entry, actor, PaperEntryStatus.REJECTED, str(_l("The resident had already voted.")))
        db.session.commit()
        raise AlreadyVoted(
            _l("This resident has already voted another way; the paper ballot was not counted.")
        ) from None
    _decide(entry, actor, PaperEntryStatus.CONFIRMED, None)
    db.session.commit()
    return ballot.receipt_code


def reject_paper_entry(actor: User, entry_id: int, reason: str) -> PaperEntry:
    """The second poll worker refuses an entry (a reason is required); nothing is counted, the link is erased."""
    require_poll_worker(actor)
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidFields({"reason": _l("Write down why you reject this entry.")})
    if len(reason) > REASON_MAX:
        raise InvalidFields({"reason": _l("Use at most %(n)d characters.", n=REASON_MAX)})
    entry, _rnd = _locked_for_decision(actor, entry_id)
    _decide(entry, actor, PaperEntryStatus.REJECTED, reason)
    db.session.commit()
    return entry


def discard_waiting_entries(round_id: int, actor: User | None) -> int:
    """When voting closes, entries still waiting for a second poll worker can no longer count: reject them and
    erase their link to the voter, in the caller's transaction (no commit). Returns how many there were."""
    waiting = (PaperEntry.round_id == round_id, PaperEntry.status == PaperEntryStatus.PENDING.value)
    count = db.session.scalar(select(func.count()).select_from(PaperEntry).where(*waiting)) or 0
    if count:
        db.session.execute(
            update(PaperEntry)
            .where(*waiting)
            .values(
                status=PaperEntryStatus.REJECTED.value,
                rejection_reason=str(_l("Voting closed before a second poll worker confirmed it.")),
                register_entry_id=None,
                code_hash=None,
                project_ids=[],
                choice_values={},
                decided_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        )
        record_event(actor, "paper_entry.discarded", round_id=round_id, details={"count": count})
    return int(count)


def _locked_for_decision(actor: User, entry_id: int) -> tuple[PaperEntry, Round]:
    """Lock the round (shared, like every ballot, so closing the vote waits) and then the entry (exclusive, so
    two poll workers deciding at once are served one after the other), and check the entry may be decided."""
    round_id = db.session.scalar(select(PaperEntry.round_id).where(PaperEntry.id == entry_id))
    if round_id is None:
        raise NotFound(_l("This paper ballot does not exist."))
    rnd = lock_round_for_voting(round_id)
    entry = _locked(select(PaperEntry).where(PaperEntry.id == entry_id).with_for_update())
    if entry.status != PaperEntryStatus.PENDING.value:
        raise RuleViolation(_l("Another poll worker has already confirmed or rejected this paper ballot."))
    require_location(actor, db.session.get_one(PollingLocation, entry.location_id))
    if entry.entered_by_id == actor.id:
        raise RuleViolation(
            _l("A different poll worker must check this paper ballot: you entered it yourself.")
        )
    if _made_by_one_another(actor, entry.entered_by_id):
        raise RuleViolation(
            _l(
                "A different poll worker must check this paper ballot: one of you made the other a poll worker."
            )
        )
    if not voting_open(rnd):
        raise RuleViolation(_l("Voting is not open in this round."))
    return entry, rnd


def _made_by_one_another(actor: User, entered_by_id: int | None) -> bool:
    """Whether the confirming poll worker was made a poll worker by the one who entered the ballot, or the
    other way round (an admin with a second account of their own, made poll worker by themselves)."""
    entrant = db.session.get(User, entered_by_id) if entered_by_id is not None else None
    if entrant is None:
        return False
    return actor.poll_worker_granted_by_id == entrant.id or entrant.poll_worker_granted_by_id == actor.id


def _locked(stmt: Any) -> Any:
    return db.session.scalars(stmt.execution_options(populate_existing=True)).one()


def _consume_code(code_hash: str | None, voter_id: int) -> None:
    """Use the voter's letter code: the one they showed (it must still be live), or else whatever live code they
    have, so that the code cannot be tried online afterwards. A conditional update decides races."""
    stmt = update(VotingCode).where(VotingCode.status == CodeStatus.ACTIVE.value)
    if code_hash is not None:
        stmt = stmt.where(VotingCode.code_hash == code_hash)
    else:
        stmt = stmt.where(VotingCode.register_entry_id == voter_id)
    result: CursorResult[Any] = db.session.execute(  # type: ignore[assignment]
        stmt.values(status=CodeStatus.USED.value).execution_options(synchronize_session=False)
    )
    if code_hash is not None and result.rowcount != 1:
        raise AlreadyVoted(_l("This voting code has already been used."))


def _decide(entry: PaperEntry, actor: User, status: PaperEntryStatus, reason: str | None) -> None:
    """Record the decision and erase everything that links the entry to the voter or to the ballot's content."""
    entry.status = status.value
    entry.confirmed_by_id = actor.id
    entry.decided_at = utcnow()
    entry.rejection_reason = reason
    entry.register_entry_id = None
    entry.code_hash = None
    entry.project_ids = []
    entry.choice_values = {}
    action = "paper_entry.confirmed" if status is PaperEntryStatus.CONFIRMED else "paper_entry.rejected"
    details: dict[str, Any] = {"location_id": entry.location_id}
    if reason:
        details["reason"] = reason
    record_event(actor, action, round_id=entry.round_id, subject=_subject(entry), details=details)


def _subject(entry: PaperEntry) -> str:
    return f"paper entry {entry.id}"


def _about(entry: PaperEntry) -> dict[str, Any]:
    return {"location_id": entry.location_id, "assisted": entry.assisted}
