"""On PostgreSQL: poll workers (and an online voter) acting on one resident at the same moment leave one ballot."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from flask_babel import force_locale

from app.extensions import db
from app.models import Ballot, PaperEntry, Phase, RegisterEntry, Role, Round, User
from app.services.errors import RuleViolation
from app.services.paper import paper_ballots
from app.services.paper.voter_lookup import AddressIdentity
from tests.ballot_box import seal_every_urn
from tests.conftest import database_url_for_tests
from tests.factories import make_location, make_project, make_register_entry, make_round, make_user
from tests.services.paper.test_paper_and_online_channels import minimal_online_account_vote

REPEATS = 3

pytestmark = pytest.mark.skipif(
    not database_url_for_tests().startswith("postgresql"),
    reason="row locks and concurrent writers need PostgreSQL",
)


def _race(app: Flask, actions: list[Callable[[], object]]) -> tuple[list[object], list[BaseException]]:
    """Run the actions at the same moment, each in its own app context and database connection."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[object] = []
    refusals: list[BaseException] = []

    def run(action: Callable[[], object]) -> None:
        with app.app_context(), force_locale("en"):  # the test reads the English messages
            try:
                barrier.wait(timeout=30)
                outcomes.append(action())
            except RuleViolation as exc:
                refusals.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes, refusals


def _pending_entry(app: Flask) -> dict[str, int]:
    with app.app_context():
        rnd = make_round(phase=Phase.VOTING, eligibility="register_match", register_level="household")
        voter = make_register_entry(rnd, postcode="3512AB", house_number=7, birth_date=date(1970, 1, 1))
        first = make_user(Role.POLL_WORKER)
        entry = paper_ballots.enter_paper_ballot(
            first, make_location(rnd).id, AddressIdentity("3512AB", 7), [make_project(rnd).id]
        )
        ids = {"round": rnd.id, "voter": voter.id, "entry": entry.id, "project": entry.project_ids[0]}
        ids["second"], ids["third"] = make_user(Role.POLL_WORKER).id, make_user(Role.POLL_WORKER).id
        db.session.remove()
    return ids


def _confirm(user_id: int, entry_id: int) -> Callable[[], object]:
    return lambda: paper_ballots.confirm_paper_entry(db.session.get_one(User, user_id), entry_id)


def _vote_online(ids: dict[str, int]) -> Callable[[], object]:
    def vote() -> object:
        rnd = db.session.get_one(Round, ids["round"])
        return minimal_online_account_vote(rnd, ids["voter"], [ids["project"]]).receipt_code

    return vote


def _ballots(app: Flask, round_id: int) -> list[Ballot]:
    with app.app_context():
        seal_every_urn()
        found = db.session.query(Ballot).filter_by(round_id=round_id).all()
        db.session.remove()
    return found


def test_two_poll_workers_confirming_one_entry_give_one_ballot(app: Flask, committed_db: None) -> None:
    for _ in range(REPEATS):
        ids = _pending_entry(app)
        outcomes, refusals = _race(
            app, [_confirm(ids["second"], ids["entry"]), _confirm(ids["third"], ids["entry"])]
        )
        assert len(outcomes) == 1 and len(refusals) == 1
        assert "already confirmed or rejected" in str(refusals[0])
        [ballot] = _ballots(app, ids["round"])
        assert ballot.receipt_code == outcomes[0] and ballot.channel == "paper"


def test_a_paper_confirmation_racing_an_online_vote_gives_one_ballot(app: Flask, committed_db: None) -> None:
    for _ in range(REPEATS):
        ids = _pending_entry(app)

        outcomes, refusals = _race(app, [_confirm(ids["second"], ids["entry"]), _vote_online(ids)])
        assert len(outcomes) == 1 and len(refusals) == 1
        [ballot] = _ballots(app, ids["round"])
        assert ballot.receipt_code == outcomes[0]
        with app.app_context():
            entry = db.session.get_one(PaperEntry, ids["entry"])
            voted = db.session.get_one(RegisterEntry, ids["voter"]).voted_channel
            assert voted == ballot.channel
            assert entry.status == ("confirmed" if ballot.channel == "paper" else "rejected")
            db.session.remove()
