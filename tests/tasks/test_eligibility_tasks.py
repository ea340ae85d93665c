"""The register-match verification tasks, run in-process as the embedded default runs them."""

from __future__ import annotations

from flask import Flask

from app.extensions import db
from app.models import Ballot, BallotStatus, Eligibility, MatchStatus, Phase, RegisterMatch
from app.services.eligibility import matches as register_matches
from app.services.voting import ballots
from tasks.broker import celery_for
from tasks.eligibility import verify_pending_register_matches, verify_register_matches
from tasks.sweep import sweep_due_work
from tests.ballot_box import seal_every_urn
from tests.factories import make_adult_register_entry, make_project, make_round, make_user


def _pending_round(app: Flask) -> int:
    rnd = make_round(
        phase=Phase.VOTING, eligibility=Eligibility.REGISTER_MATCH.value, register_level="household"
    )
    project = make_project(rnd)
    entry = make_adult_register_entry(rnd, birth_date=None)
    voter = make_user()
    with app.app_context():
        register_matches.request_match(
            voter, rnd.id, postcode=entry.postcode, house_number=entry.house_number
        )
        ballots.cast_ballot(voter, rnd.id, [project.id])
    return rnd.id


def test_task_names_retries_and_time_limits(app: Flask) -> None:
    task = celery_for(app).tasks["wijkbudget.verify_register_matches"]
    assert task.max_attempts == 5 and task.acks_late and task.soft_time_limit and task.time_limit


def test_a_match_request_asks_for_the_check_in_its_own_transaction(
    app: Flask, db_session: object, held_jobs: list
) -> None:
    round_id = _pending_round(app)
    assert held_jobs == [("wijkbudget.verify_register_matches", [round_id])]


def test_the_task_verifies_and_running_it_again_changes_nothing(
    app: Flask, db_session: object, held_jobs: list
) -> None:
    round_id = _pending_round(app)
    assert verify_register_matches(round_id) == {"verified": 1, "rejected": 0, "ballots_settled": 0}
    assert db.session.query(RegisterMatch).one().status == MatchStatus.VERIFIED.value
    seal_every_urn()
    assert db.session.query(Ballot).one().status == BallotStatus.COUNTED.value
    assert verify_register_matches(round_id) == {"verified": 0, "rejected": 0, "ballots_settled": 0}
    assert db.session.query(Ballot).one().status == BallotStatus.COUNTED.value


def test_the_sweep_finds_every_round_with_pending_work(
    app: Flask, db_session: object, held_jobs: list
) -> None:
    first, second = _pending_round(app), _pending_round(app)
    assert verify_pending_register_matches() == sorted([first, second])
    assert verify_pending_register_matches() == []
    third = _pending_round(app)
    with app.app_context():
        assert sweep_due_work()["rounds_verified"] == 1
    assert (
        db.session.query(RegisterMatch).filter_by(round_id=third).one().status == MatchStatus.VERIFIED.value
    )
