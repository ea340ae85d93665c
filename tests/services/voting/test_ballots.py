"""The ballot services, called directly: anonymous keys, one ballot per voter, every rule checked."""

from __future__ import annotations

import hashlib
import hmac
import re

import pytest
from flask import Flask
from sqlalchemy.orm import scoped_session

from app.extensions import db
from app.models import AuditEvent, Ballot, BallotChoice, Phase, ProjectStatus
from app.services.errors import NotAllowed, RuleViolation
from app.services.voting import ballots
from app.services.voting.voter_keys import RECEIPT_ALPHABET, new_receipt_code, voter_key_for_mailbox
from tests.factories import make_project, make_round, make_user, make_wijk


def test_voter_key_is_the_hmac_of_round_and_mailbox(app: Flask) -> None:
    with app.app_context():
        message = b"round:7:mailbox:jan@example.nl"
        expected = hmac.new(b"test-voter-key-secret", message, hashlib.sha256).hexdigest()
        assert voter_key_for_mailbox(7, "jan@example.nl") == expected
        assert voter_key_for_mailbox(8, "jan@example.nl") != expected


def test_receipt_codes_are_readable_and_random(app: Flask) -> None:
    codes = {new_receipt_code() for _ in range(200)}
    assert len(codes) == 200
    pattern = re.compile(f"^[{RECEIPT_ALPHABET}]{{4}}-[{RECEIPT_ALPHABET}]{{4}}-[{RECEIPT_ALPHABET}]{{4}}$")
    assert all(pattern.match(code) for code in codes)
    assert not set("01OIL5S8B2Z") & set(RECEIPT_ALPHABET)


def test_cast_then_change_keeps_one_ballot_and_the_receipt(app: Flask, db_session: scoped_session) -> None:
    with app.app_context():
        rnd = make_round(phase=Phase.VOTING)
        a, b, c = (make_project(rnd, cost_cents=cost) for cost in (1_000_000, 2_000_000, 500_000))
        voter = make_user(wijk=rnd.wijk)
        ballot, created = ballots.cast_ballot(voter, rnd.id, [a.id, b.id])
        assert created is True
        receipt = ballot.receipt_code
        again, created = ballots.cast_ballot(voter, rnd.id, [str(c.id), str(b.id), str(c.id)])
        assert created is False
        assert again.id == ballot.id and again.receipt_code == receipt
        db.session.expire_all()
        assert db.session.query(Ballot).count() == 1
        assert sorted(ch.project_id for ch in db.session.query(BallotChoice)) == sorted([b.id, c.id])
        assert ballots.current_ballot(voter, rnd.id).id == ballot.id
        # Ballots are secret: one event for the new ballot, holding only the hash of its receipt code.
        events = db.session.query(AuditEvent).all()
        assert [(e.action, e.actor_id, e.details) for e in events] == [
            ("ballot.cast", None, {"receipt_sha256": hashlib.sha256(receipt.encode()).hexdigest()})
        ]


def test_rejected_ballot_lists_every_problem_and_stores_nothing(
    app: Flask, db_session: scoped_session
) -> None:
    with app.app_context():
        rnd = make_round(phase=Phase.VOTING, budget_cents=3_000_000, knapsack_min_spend_pct=50)
        big = make_project(rnd, cost_cents=2_000_000)
        other = make_project(rnd, cost_cents=1_500_000)
        infeasible = make_project(rnd, status=ProjectStatus.INFEASIBLE, title="Kunstgras")
        voter = make_user(wijk=rnd.wijk)
        with pytest.raises(ballots.BallotRejected) as caught:
            ballots.cast_ballot(voter, rnd.id, [big.id, other.id, infeasible.id, "x"])
        problems = [str(p) for p in caught.value.check.problems]
        assert len(problems) == 3  # unknown, not on the ballot, over budget
        assert caught.value.check.total_cents == 3_500_000
        assert db.session.query(Ballot).count() == 0


def test_check_ballot_measures_the_minimum_share_exactly(app: Flask, db_session: scoped_session) -> None:
    with app.app_context():
        rnd = make_round(
            phase=Phase.VOTING,
            budget_cents=1_000_001,
            max_project_cost_cents=1_000_000,
            min_project_cost_cents=1,
            knapsack_min_spend_pct=50,
        )
        half = make_project(rnd, cost_cents=500_000)
        just_enough = make_project(rnd, cost_cents=500_001)
        assert not ballots.check_ballot(rnd, [half.id]).ok  # 500.000 < 500.000,5
        assert ballots.check_ballot(rnd, [just_enough.id]).ok


def test_approval_limits(app: Flask, db_session: scoped_session) -> None:
    with app.app_context():
        rnd = make_round(phase=Phase.VOTING, ballot_type="approval", min_choices=2, max_choices=3)
        ids = [make_project(rnd).id for _ in range(4)]
        assert not ballots.check_ballot(rnd, ids[:1]).ok
        assert ballots.check_ballot(rnd, ids[:2]).ok
        assert ballots.check_ballot(rnd, ids[:3]).ok
        assert not ballots.check_ballot(rnd, ids).ok


def test_who_and_when(app: Flask, db_session: scoped_session) -> None:
    with app.app_context():
        rnd = make_round(phase=Phase.VOTING)
        project = make_project(rnd)
        with pytest.raises(NotAllowed):
            ballots.cast_ballot(make_user(wijk=make_wijk()), rnd.id, [project.id])
        rnd.phase = Phase.CLOSED.value
        db.session.commit()
        with pytest.raises(RuleViolation) as caught:
            ballots.cast_ballot(make_user(wijk=rnd.wijk), rnd.id, [project.id])
        assert not isinstance(caught.value, NotAllowed)
        assert db.session.query(Ballot).count() == 0
