"""A register voter through two channels at once, while the verification runs: one ballot, and it agrees."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from flask import Flask

from app.extensions import db
from app.models import (
    Ballot,
    BallotChannel,
    BallotStatus,
    Eligibility,
    MatchStatus,
    Phase,
    RegisterEntry,
    RegisterMatch,
    User,
)
from app.services.eligibility import matches as register_matches
from app.services.eligibility.refusal import EligibilityRefused
from app.services.eligibility.verification import eligibility_work_pending
from app.services.voting import ballots
from app.services.voting.ballots import AlreadyVoted, store_ballot
from app.services.voting.poll_book import mark_voted
from app.services.voting.urn import NEVER
from app.services.voting.voter_keys import voter_key_for_register_entry
from tests.ballot_box import seal_every_urn
from tests.conftest import database_url_for_tests
from tests.factories import make_adult_register_entry, make_project, make_round, make_user

RESIDENTS = 12


def _paper_ballot(round_id: int, entry_id: int, project_id: int) -> None:
    """What the paper channel does in one transaction: poll book, then the ballot under the entry's key."""
    try:
        mark_voted(entry_id, BallotChannel.PAPER.value)
        store_ballot(
            round_id,
            voter_key_for_register_entry(round_id, entry_id),
            [project_id],
            channel=BallotChannel.PAPER.value,
            may_replace=NEVER,
        )
        db.session.commit()
    except AlreadyVoted:
        db.session.rollback()


@pytest.mark.skipif(
    not database_url_for_tests().startswith("postgresql"),
    reason="row locks and concurrent writers need PostgreSQL",
)
def test_online_paper_and_verification_at_once_leave_one_consistent_ballot(
    app: Flask, committed_db: None
) -> None:
    with app.app_context():
        rnd = make_round(phase=Phase.VOTING, eligibility=Eligibility.REGISTER_MATCH.value)
        round_id, project_id = rnd.id, make_project(rnd).id
        pairs = []
        for number in range(1, RESIDENTS + 1):
            entry = make_adult_register_entry(rnd, house_number=number)
            voter = make_user()
            register_matches.request_match(
                voter, round_id, postcode=entry.postcode, house_number=number, birth_date=entry.birth_date
            )
            pairs.append((voter.id, entry.id))
        db.session.remove()

    errors: list[BaseException] = []

    def run(job: Callable[[], object], barrier: threading.Barrier) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                job()
            except (AlreadyVoted, EligibilityRefused):
                # The other channel was first. When paper won before the online cast, the verification may
                # already have rejected the match (the entry voted on paper), so the account is refused.
                pass
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    for voter_id, entry_id in pairs:
        barrier = threading.Barrier(3)
        jobs: list[Callable[[], object]] = [
            lambda v=voter_id: ballots.cast_ballot(db.session.get(User, v), round_id, [project_id]),
            lambda e=entry_id: _paper_ballot(round_id, e, project_id),
            lambda: register_matches.verify_register_matches(round_id),
        ]
        threads = [threading.Thread(target=run, args=(job, barrier)) for job in jobs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert errors == []
    with app.app_context():
        register_matches.verify_register_matches(round_id)  # whatever the beat would still find
        seal_every_urn()
        for voter_id, entry_id in pairs:
            [ballot] = db.session.query(Ballot).filter_by(
                voter_key=voter_key_for_register_entry(round_id, entry_id)
            )
            entry = db.session.get(RegisterEntry, entry_id)
            match = db.session.query(RegisterMatch).filter_by(user_id=voter_id).one()
            assert entry.voted_channel == ballot.channel
            assert ballot.status == BallotStatus.COUNTED.value
            if ballot.channel == BallotChannel.ONLINE_ACCOUNT.value:
                assert match.status == MatchStatus.VERIFIED.value
            else:  # paper won; the match was verified before the paper vote or rejected after it
                assert match.status in (MatchStatus.VERIFIED.value, MatchStatus.REJECTED.value)
        assert db.session.query(Ballot).count() == RESIDENTS
        assert not eligibility_work_pending(round_id).pending
        db.session.remove()
