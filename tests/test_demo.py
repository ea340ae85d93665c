"""The demo `make run` seeds: three rounds that show every part of a round, the letter-code round included."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from app.demo.seed import LETTER_ROUND_REGISTER, LETTER_ROUND_VOTERS, seed_demo
from app.extensions import db
from app.models import Ballot, BallotChannel, Commitment, ElectionRecord, RegisterEntry
from app.services.codes.code_votes import cast_code_ballot, identify_code_voter


def test_the_demo_shows_a_published_round_a_voting_round_and_a_letter_code_round(
    app: Flask, db_session: object
) -> None:
    with app.test_request_context():
        seeded = seed_demo(voters=40)
        letter_round = seeded["letter_round"]
        assert db.session.scalar(select(func.count(ElectionRecord.id))) == 1
        assert db.session.scalar(select(func.count(Commitment.id))) >= 2
        entries = db.session.scalar(
            select(func.count(RegisterEntry.id)).where(RegisterEntry.round_id == letter_round)
        )
        channels = db.session.scalars(select(Ballot.channel).where(Ballot.round_id == letter_round)).all()
        assert entries == LETTER_ROUND_REGISTER
        assert channels == [BallotChannel.ONLINE_CODE.value] * LETTER_ROUND_VOTERS

        # The code the demo prints is unused and works with its postcode.
        code, postcode = seeded["sample_code"]
        voter = identify_code_voter(code, postcode)
        assert not voter.replacing
        project_id = next(p.id for p in voter.round.projects if p.on_ballot)
        ballot, created = cast_code_ballot(code, postcode, [project_id])
        assert created and ballot.channel == BallotChannel.ONLINE_CODE.value
