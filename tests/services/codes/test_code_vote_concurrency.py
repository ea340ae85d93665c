"""Simultaneous submissions of one letter code on PostgreSQL: exactly one ballot per code, every other
submission the clear "already used" refusal, no deadlock and no error; and a re-issue racing a vote with the
old code lets exactly one of them through."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.models import Ballot, Phase, RegisterEntry, Role, VotingCode
from app.services.codes import code_votes as code_voting
from app.services.codes import reissue as code_issue
from app.services.voting.ballots import AlreadyVoted
from tests.ballot_box import seal_every_urn
from tests.conftest import database_url_for_tests
from tests.factories import give_code, make_letter_code_round, make_project, make_register_entry, make_user

CODES = 200
CROWD = 32

pytestmark = pytest.mark.skipif(
    not database_url_for_tests().startswith("postgresql"),
    reason="row locks and concurrent writers need PostgreSQL",
)


@pytest.fixture
def crowd_app(app: Flask, committed_db: None) -> Flask:
    """The same database with a connection per thread, so all 32 really run at once. Commits skip waiting for
    the disk (locking and atomicity are unchanged; only durability after a crash is, which is not tested)."""
    config = TestConfig(database_url_for_tests())
    config.SQLALCHEMY_ENGINE_OPTIONS = {
        "pool_size": CROWD,
        "max_overflow": 4,
        "connect_args": {"options": "-c synchronous_commit=off"},
    }
    crowd = create_app(config)
    yield crowd
    with crowd.app_context():
        db.engine.dispose()


def _attempt(app: Flask, barrier: threading.Barrier, work: Any) -> str:
    with app.app_context():
        try:
            barrier.wait(timeout=30)
            work()
            return "ok"
        except code_voting.CodeAlreadyUsed:
            return "already used"
        except code_voting.CodeNotRecognised:
            return "not recognised"
        except AlreadyVoted:
            return "already voted"
        except Exception as exc:  # noqa: BLE001 - every other outcome fails the test
            return f"error: {exc!r}"
        finally:
            db.session.remove()


def test_each_code_cast_32_times_at_once_gives_exactly_one_ballot(crowd_app: Flask) -> None:
    with crowd_app.app_context():
        rnd = make_letter_code_round(phase=Phase.VOTING)
        project_id = make_project(rnd).id
        entries = [make_register_entry(rnd, postcode="3512AB", house_number=n + 1) for n in range(CODES)]
        codes = [give_code(entry) for entry in entries]
        round_id = rnd.id
        db.session.remove()

    outcomes: Counter[str] = Counter()
    with ThreadPoolExecutor(max_workers=CROWD) as pool:
        for code in codes:
            barrier = threading.Barrier(CROWD)

            def cast(code: str = code) -> None:
                code_voting.cast_code_ballot(code, "3512AB", [project_id])

            futures = [pool.submit(_attempt, crowd_app, barrier, cast) for _ in range(CROWD)]
            per_code = Counter(f.result(timeout=60) for f in futures)
            assert per_code == {"ok": 1, "already used": CROWD - 1}, per_code
            outcomes.update(per_code)

    assert outcomes == {"ok": CODES, "already used": CODES * (CROWD - 1)}
    with crowd_app.app_context():
        seal_every_urn()
        assert (
            db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.round_id == round_id))
            == CODES
        )
        voted = (
            select(func.count())
            .select_from(RegisterEntry)
            .where(RegisterEntry.voted_channel == "online_code")
        )
        assert db.session.scalar(voted) == CODES
        used = select(func.count()).select_from(VotingCode).where(VotingCode.status == "used")
        assert db.session.scalar(used) == CODES
        db.session.remove()


def test_a_reissue_racing_a_vote_with_the_old_code_lets_exactly_one_through(crowd_app: Flask) -> None:
    races = 40
    with crowd_app.app_context():
        rnd = make_letter_code_round(phase=Phase.VOTING)
        project_id = make_project(rnd).id
        organiser_id = make_user(Role.ORGANISER).id
        entries = [make_register_entry(rnd, postcode="3512AB", house_number=n + 1) for n in range(races)]
        pairs = [(entry.reference, give_code(entry)) for entry in entries]
        round_id = rnd.id
        db.session.remove()

    seen: Counter[tuple[str, str]] = Counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        for reference, old_code in pairs:
            barrier = threading.Barrier(2)

            def vote(code: str = old_code) -> None:
                code_voting.cast_code_ballot(code, "3512AB", [project_id])

            def reissue(reference: str = reference) -> None:
                code_issue.reissue_code(db.session.get(code_issue.User, organiser_id), round_id, reference)

            vote_outcome = pool.submit(_attempt, crowd_app, barrier, vote)
            reissue_outcome = pool.submit(_attempt, crowd_app, barrier, reissue)
            pair = (vote_outcome.result(timeout=60), reissue_outcome.result(timeout=60))
            assert pair in {("ok", "already voted"), ("not recognised", "ok")}, pair
            seen[pair] += 1
            with crowd_app.app_context():  # the old code is refused from now on, whoever won
                with pytest.raises((code_voting.CodeNotRecognised, code_voting.CodeAlreadyUsed)):
                    code_voting.cast_code_ballot(old_code, "3512AB", [project_id])
                db.session.remove()
    assert sum(seen.values()) == races
