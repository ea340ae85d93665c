"""A register voter votes once, whatever the channels: online (letter code or matched account) and paper.

The online code and account paths are built in other parts of issue 4. These tests use MINIMAL STAND-INS that
follow the shared ballot path rule (consume the code by a conditional update, `store_ballot` with the register
entry's voter key, `mark_voted`, one transaction), so the paper path is tested against the same guarantees.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import CursorResult, select, update

from app.extensions import db
from app.models import (
    Ballot,
    BallotChannel,
    CodeStatus,
    PaperEntry,
    Phase,
    RegisterEntry,
    Role,
    Round,
    User,
    VotingCode,
)
from app.services.paper import paper_ballots
from app.services.paper.voter_lookup import AddressIdentity, CodeIdentity
from app.services.voting.ballots import AlreadyVoted, store_ballot
from app.services.voting.poll_book import mark_voted
from app.services.voting.urn import NEVER, Replacement, StoredBallot
from app.services.voting.voter_keys import (
    normalise_voting_code,
    voter_key_for_register_entry,
    voting_code_hash,
)
from tests.ballot_box import seal_every_urn
from tests.factories import (
    make_location,
    make_project,
    make_register_entry,
    make_round,
    make_user,
    make_voting_code,
)


def minimal_online_code_vote(rnd: Round, plain_code: str, project_ids: list[int]) -> StoredBallot:
    """Stand-in for the online letter-code path: consume the code, store the ballot, mark the poll book."""
    code_hash = voting_code_hash(normalise_voting_code(plain_code) or "")
    entry_id = db.session.scalar(
        select(VotingCode.register_entry_id).where(VotingCode.code_hash == code_hash)
    )
    consumed: CursorResult[Any] = db.session.execute(  # type: ignore[assignment]
        update(VotingCode)
        .where(VotingCode.code_hash == code_hash, VotingCode.status == CodeStatus.ACTIVE.value)
        .values(status=CodeStatus.USED.value)
    )
    try:
        if consumed.rowcount != 1:
            raise AlreadyVoted()
        return _store_online(rnd, entry_id, project_ids, BallotChannel.ONLINE_CODE, replace_own=False)
    except AlreadyVoted:
        db.session.rollback()
        raise


def minimal_online_account_vote(rnd: Round, entry_id: int, project_ids: list[int]) -> StoredBallot:
    """Stand-in for the matched-account path: the account may replace its own online ballot, nothing else."""
    try:
        return _store_online(rnd, entry_id, project_ids, BallotChannel.ONLINE_ACCOUNT, replace_own=True)
    except AlreadyVoted:
        db.session.rollback()
        raise


def _store_online(
    rnd: Round, entry_id: int, project_ids: list[int], channel: BallotChannel, *, replace_own: bool
) -> StoredBallot:
    ballot, _created = store_ballot(
        rnd.id,
        voter_key_for_register_entry(rnd.id, entry_id),
        project_ids,
        channel=channel.value,
        may_replace=Replacement(channel.value) if replace_own else NEVER,
    )
    mark_voted(entry_id, channel.value, same_channel_ok=replace_own)
    db.session.commit()
    return ballot


@dataclass
class Setup:
    rnd: Round
    project_id: int
    first: User
    second: User
    location_id: int
    voter: RegisterEntry
    code: str

    def enter_by_address(self) -> int:
        identity = AddressIdentity("3512AB", 7, "", date(1970, 1, 1))
        return self._enter(identity)

    def enter_by_code(self) -> int:
        return self._enter(CodeIdentity(self.code, "3512AB"))

    def _enter(self, identity: CodeIdentity | AddressIdentity) -> int:
        entry = paper_ballots.enter_paper_ballot(self.first, self.location_id, identity, [self.project_id])
        return int(entry.id)

    def ballots(self) -> list[Ballot]:
        seal_every_urn()
        return list(db.session.scalars(select(Ballot).where(Ballot.round_id == self.rnd.id)))


@pytest.fixture(params=["letter_codes", "register_match"])
def setup(request: pytest.FixtureRequest, app: Flask, db_session: object) -> Iterator[Setup]:
    with app.app_context(), force_locale("en"):  # the tests read the English messages
        rnd = make_round(phase=Phase.VOTING, eligibility=request.param)
        voter = make_register_entry(rnd, postcode="3512AB", house_number=7, birth_date=date(1970, 1, 1))
        yield Setup(
            rnd=rnd,
            project_id=make_project(rnd).id,
            first=make_user(Role.POLL_WORKER),
            second=make_user(Role.POLL_WORKER),
            location_id=make_location(rnd).id,
            voter=voter,
            code=make_voting_code(voter),
        )


def test_online_by_code_then_paper_is_refused(setup: Setup) -> None:
    minimal_online_code_vote(setup.rnd, setup.code, [setup.project_id])
    with pytest.raises(AlreadyVoted):
        setup.enter_by_address()
    with pytest.raises(AlreadyVoted):
        setup.enter_by_code()
    assert [b.channel for b in setup.ballots()] == ["online_code"]


def test_online_by_account_then_paper_is_refused(setup: Setup) -> None:
    minimal_online_account_vote(setup.rnd, setup.voter.id, [setup.project_id])
    with pytest.raises(AlreadyVoted):
        setup.enter_by_address()
    assert [b.channel for b in setup.ballots()] == ["online_account"]


@pytest.mark.parametrize("identified_by", ["code", "address"])
def test_an_online_vote_while_paper_waits_makes_the_paper_ballot_rejected(
    setup: Setup, identified_by: str
) -> None:
    entry_id = setup.enter_by_code() if identified_by == "code" else setup.enter_by_address()
    if identified_by == "code":
        minimal_online_code_vote(setup.rnd, setup.code, [setup.project_id])
    else:
        minimal_online_account_vote(setup.rnd, setup.voter.id, [setup.project_id])

    with pytest.raises(AlreadyVoted, match="already voted"):
        paper_ballots.confirm_paper_entry(setup.second, entry_id)

    [ballot] = setup.ballots()
    assert ballot.channel != "paper"
    entry = db.session.get(PaperEntry, entry_id)
    assert entry.status == "rejected" and entry.register_entry_id is None and entry.project_ids == []


def test_paper_then_online_is_refused_by_code_and_by_account(setup: Setup) -> None:
    paper_ballots.confirm_paper_entry(setup.second, setup.enter_by_address())

    with pytest.raises(AlreadyVoted):
        minimal_online_code_vote(setup.rnd, setup.code, [setup.project_id])
    with pytest.raises(AlreadyVoted):
        minimal_online_account_vote(setup.rnd, setup.voter.id, [setup.project_id])

    [ballot] = setup.ballots()
    assert ballot.channel == "paper"
    assert db.session.get(RegisterEntry, setup.voter.id).voted_channel == "paper"


def test_paper_by_code_then_online_by_account_is_refused(setup: Setup) -> None:
    paper_ballots.confirm_paper_entry(setup.second, setup.enter_by_code())
    with pytest.raises(AlreadyVoted):
        minimal_online_account_vote(setup.rnd, setup.voter.id, [setup.project_id])
    assert [b.channel for b in setup.ballots()] == ["paper"]
