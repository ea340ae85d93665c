"""The demo `make run` seeds: three rounds that show every part of a round, the letter-code round included."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import func, select

from app.demo.seed import LETTER_ROUND_REGISTER, LETTER_ROUND_VOTERS, seed_demo
from app.extensions import db
from app.models import (
    Ballot,
    BallotChannel,
    BallotChoice,
    Commitment,
    ElectionRecord,
    RegisterEntry,
    Result,
    Round,
)
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


def test_the_demo_shows_caps_with_partial_funding_and_a_points_round(app: Flask, db_session: object) -> None:
    with app.test_request_context():
        seeded = seed_demo()
        published = db.session.get(Round, seeded["published_round"])
        assert published is not None and [c.category for c in published.caps] == ["Ontmoeten"]
        result = db.session.scalars(select(Result).where(Result.round_id == published.id)).one()
        codes = {row["explanation"]["code"] for row in result.project_results}
        assert {"category_cap", "partially_funded"} <= codes
        [part] = result.parts
        partial = part["leftover"]["partial"]
        assert partial is not None and 0 < partial["amount_cents"] < partial["cost_cents"]
        budgets = dict(db.session.execute(select(Commitment.project_id, Commitment.budget_cents)).all())
        assert budgets[partial["project_id"]] == partial["amount_cents"]

        points = db.session.get(Round, seeded["points_round"])
        assert points is not None and points.ballot_type == "points" and points.phase == "voting"
        assert [b.buurt.name for b in points.buurt_budgets] == ["Lombok-West"]
        given = db.session.scalars(
            select(BallotChoice.points).where(BallotChoice.round_id == points.id)
        ).all()
        assert given and all(1 <= p <= points.points_per_project for p in given)


def test_the_demo_has_a_proposal_round_with_support_reactions_pictures_a_map_and_help(
    app: Flask, db_session: object, tmp_path, monkeypatch
) -> None:
    from app.demo.proposal_phase import _supporters, seed_proposal_round
    from app.demo.seed import _users, _wijk
    from app.models import HelpRequest, ProposalPicture, Reaction, Support
    from app.services.rounds.buurt_maps import buurt_at

    monkeypatch.setitem(app.config, "PICTURE_DIR", str(tmp_path))
    assert _supporters  # the neighbours who support are demo accounts too
    with app.test_request_context():
        wijk = _wijk()
        round_id = seed_proposal_round(wijk, _users(wijk), datetime.now(UTC))
        rnd = db.session.get_one(Round, round_id)
        assert rnd.phase == "proposals" and rnd.support_threshold > 0
        assert db.session.scalar(select(func.count(Support.id)).where(Support.round_id == round_id)) > 0
        hidden = db.session.scalars(select(Reaction).where(Reaction.hidden_at.is_not(None))).all()
        assert len(hidden) == 1 and hidden[0].hidden_reason
        assert db.session.scalar(select(func.count(ProposalPicture.id))) == len(rnd.projects)
        assert all(buurt_at(wijk, p.longitude, p.latitude) == p.buurt for p in rnd.projects)
        assert db.session.scalar(select(func.count(HelpRequest.id)).where(HelpRequest.status == "open")) == 1
