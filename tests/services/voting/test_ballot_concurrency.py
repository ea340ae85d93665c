"""Sixteen simultaneous ballots of one resident, with seals running in between: PostgreSQL's unique
constraints keep exactly one ballot, and the seal loses none."""

from __future__ import annotations

import threading

import pytest
from flask import Flask

from app.extensions import db
from app.models import Ballot, BallotChoice, Phase, User
from app.services.voting import ballots
from app.services.voting.urn import seal_round
from tests.ballot_box import seal_every_urn
from tests.conftest import database_url_for_tests
from tests.factories import make_project, make_round, make_user

THREADS = 16


# The guarantee is PostgreSQL's (production). The embedded SQLite default serialises writers with one file
# lock and answers a colliding writer "database is locked" instead of queueing it.
@pytest.mark.skipif(
    not database_url_for_tests().startswith("postgresql"),
    reason="row locks and concurrent writers need PostgreSQL",
)
def test_concurrent_casts_leave_exactly_one_ballot(app: Flask, committed_db: None) -> None:
    with app.app_context():
        rnd = make_round(phase=Phase.VOTING, budget_cents=5_000_000)
        ids = [make_project(rnd, cost_cents=500_000).id for _ in range(6)]
        voter_id, round_id = make_user(wijk=rnd.wijk).id, rnd.id
        db.session.remove()
    submitted = [sorted({ids[i % 6], ids[(i * 5 + 1) % 6], ids[(i + 3) % 6]}) for i in range(THREADS)]
    barrier = threading.Barrier(THREADS + 1)
    outcomes: list[tuple[bool, str]] = []
    errors: list[BaseException] = []

    def vote(choice: list[int]) -> None:
        with app.app_context():
            try:
                voter = db.session.get(User, voter_id)
                # Give the connection back before waiting: the pool (15) is smaller than the crowd (16).
                db.session.close()
                barrier.wait(timeout=30)
                ballot, created = ballots.cast_ballot(voter, round_id, choice)
                outcomes.append((created, ballot.receipt_code))
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    def seal_meanwhile() -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                for _ in range(20):
                    seal_round(round_id)
                    db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=vote, args=(choice,)) for choice in submitted]
    threads.append(threading.Thread(target=seal_meanwhile))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(outcomes) == THREADS
    assert sum(created for created, _ in outcomes) == 1
    assert len({receipt for _, receipt in outcomes}) == 1
    with app.app_context():
        seal_every_urn()
        [ballot] = db.session.query(Ballot).all()
        stored = sorted(c.project_id for c in db.session.query(BallotChoice).filter_by(ballot_id=ballot.id))
        assert stored in submitted
        assert ballot.receipt_code == outcomes[0][1]
        db.session.remove()
