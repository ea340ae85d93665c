"""Support (steun): one per resident per proposal, withdrawable in the proposal phase, and the threshold that
decides at the end of the phase which proposals go to the feasibility review."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy.exc import IntegrityError

from app.cli.tally import tally_command
from app.extensions import db
from app.models import Phase, ProjectStatus, Role, Support
from app.models.freeze import FrozenRoundError, seeding
from app.services.errors import NotAllowed, RuleViolation
from app.services.proposals import support
from app.services.proposals.review import review_project
from app.services.results.publishing import publish_round
from app.services.results.record import published_record
from app.services.rounds import kaders
from app.services.rounds.phases import advance_phase, check_voting_can_open
from app.services.rounds.wijken import InvalidFields
from tests.factories import make_project, make_round, make_user, make_wijk
from tests.results_data import cast_votes, service_context


def _open_proposal(threshold: int = 0):  # type: ignore[no-untyped-def]
    rnd = make_round(phase=Phase.PROPOSALS, support_threshold=threshold)
    project = make_project(rnd, status=ProjectStatus.SUBMITTED)
    return rnd, project


def test_a_resident_supports_once_and_can_take_it_back(db_session) -> None:
    rnd, project = _open_proposal()
    resident = make_user(wijk=rnd.wijk)
    assert support.support_proposal(resident, project.id) == 1
    assert support.support_proposal(resident, project.id) == 1  # a second click changes nothing
    assert support.has_supported(resident, project.id)
    assert support.withdraw_support(resident, project.id) == 0
    assert not support.has_supported(resident, project.id)


def test_the_database_refuses_a_second_support_by_the_same_resident(db_session) -> None:
    rnd, project = _open_proposal()
    resident = make_user(wijk=rnd.wijk)
    db.session.add(Support(round_id=rnd.id, project_id=project.id, user_id=resident.id))
    db.session.flush()
    db.session.add(Support(round_id=rnd.id, project_id=project.id, user_id=resident.id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_support_cannot_point_at_a_project_of_another_round(db_session) -> None:
    rnd, project = _open_proposal()
    other = make_round(phase=Phase.PROPOSALS)
    resident = make_user(wijk=rnd.wijk)
    db.session.add(Support(round_id=other.id, project_id=project.id, user_id=resident.id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_only_residents_of_the_wijk_support_and_only_in_the_proposal_phase(db_session) -> None:
    rnd, project = _open_proposal()
    outsider = make_user(wijk=make_wijk())
    with pytest.raises(NotAllowed):
        support.support_proposal(outsider, project.id)
    assert isinstance(support.may_support(None, project), NotAllowed)
    review_round = make_round(wijk=rnd.wijk, phase=Phase.REVIEW)
    late = make_project(review_round, status=ProjectStatus.SUBMITTED)
    with pytest.raises(RuleViolation, match="proposal phase"):
        support.support_proposal(make_user(wijk=rnd.wijk), late.id)
    withdrawn = make_project(rnd, status=ProjectStatus.WITHDRAWN)
    with pytest.raises(RuleViolation):
        support.support_proposal(make_user(wijk=rnd.wijk), withdrawn.id)
    assert support.support_counts(rnd.id) == {}


def test_supports_are_frozen_from_voting_on(db_session) -> None:
    rnd = make_round(phase=Phase.VOTING)
    project = make_project(rnd)
    db.session.add(Support(round_id=rnd.id, project_id=project.id, user_id=make_user(wijk=rnd.wijk).id))
    with pytest.raises(FrozenRoundError):
        db.session.flush()
    db.session.rollback()


def _approve(professional, project):  # type: ignore[no-untyped-def]
    return review_project(
        professional, project.id, feasible=True, reason="", new_cost_cents=None, cost_reason=None
    )


def _supporters(rnd, project, n: int) -> None:  # type: ignore[no-untyped-def]
    for _ in range(n):
        support.support_proposal(make_user(wijk=rnd.wijk), project.id)


def test_at_the_end_of_the_proposal_phase_proposals_below_the_threshold_skip_review(db_session) -> None:
    rnd = make_round(phase=Phase.PROPOSALS, support_threshold=3)
    enough = make_project(rnd, status=ProjectStatus.SUBMITTED)
    short = make_project(rnd, status=ProjectStatus.SUBMITTED)
    _supporters(rnd, enough, 3)
    _supporters(rnd, short, 2)
    organiser = make_user(Role.ORGANISER)
    advance_phase(organiser, rnd.id)
    assert rnd.phase == Phase.REVIEW.value
    assert enough.status == ProjectStatus.SUBMITTED.value
    assert short.status == ProjectStatus.NOT_ENOUGH_SUPPORT.value
    assert support.support_counts(rnd.id) == {enough.id: 3, short.id: 2}
    professional = make_user(Role.PROFESSIONAL)
    with pytest.raises(RuleViolation, match="enough support"):
        _approve(professional, short)
    _approve(professional, enough)
    check_voting_can_open(rnd)  # the unsupported proposal does not block voting


def test_threshold_zero_sends_every_proposal_to_review(db_session) -> None:
    rnd, project = _open_proposal(threshold=0)
    advance_phase(make_user(Role.ORGANISER), rnd.id)
    assert project.status == ProjectStatus.SUBMITTED.value


def test_with_a_threshold_review_waits_for_the_end_of_the_proposal_phase(db_session) -> None:
    _rnd, project = _open_proposal(threshold=5)
    with pytest.raises(RuleViolation, match="after the proposal phase"):
        _approve(make_user(Role.PROFESSIONAL), project)


def test_the_threshold_is_fixed_once_the_proposal_phase_has_ended(db_session) -> None:
    rnd = make_round(phase=Phase.REVIEW, support_threshold=25)
    organiser = make_user(Role.ORGANISER)
    settings = kaders.settings_of(rnd)
    with pytest.raises(InvalidFields) as refused:
        kaders.update_round(organiser, rnd.id, replace(settings, support_threshold=10))
    assert "support_threshold" in refused.value.errors
    with pytest.raises(InvalidFields):
        kaders.update_round(organiser, rnd.id, replace(settings, support_threshold=-1))
    open_round = make_round(phase=Phase.PROPOSALS)
    kaders.update_round(
        organiser, open_round.id, replace(kaders.settings_of(open_round), support_threshold=10)
    )
    assert open_round.support_threshold == 10


def test_support_counts_are_in_the_election_record_and_tally_still_recounts_it(
    app: Flask, db_session, tmp_path: Path
) -> None:
    rnd = make_round(phase=Phase.CLOSED, support_threshold=2)
    on_ballot = make_project(rnd, cost_cents=600_000)
    short = make_project(rnd, status=ProjectStatus.NOT_ENOUGH_SUPPORT)
    with seeding(db.session):  # the supports given during the proposal phase
        for project, n in ((on_ballot, 3), (short, 1)):
            for _ in range(n):
                db.session.add(
                    Support(round_id=rnd.id, project_id=project.id, user_id=make_user(wijk=rnd.wijk).id)
                )
        db.session.commit()
    cast_votes(rnd, {on_ballot: 4})
    with service_context(app):
        publish_round(rnd.id)
        record = published_record(rnd.id)
    manifest = json.loads(record.record_json)["manifest"]
    assert manifest["support"]["threshold"] == 2
    by_id = {p["project_id"]: p for p in manifest["support"]["proposals"]}
    assert by_id[on_ballot.id]["supports"] == 3
    assert by_id[short.id] == {
        "project_id": short.id,
        "title": short.title,
        "status": "not_enough_support",
        "supports": 1,
    }
    pb = tmp_path / "round.pb"
    pb.write_text(record.pb_text, encoding="utf-8")
    run = CliRunner().invoke(tally_command, [str(pb), "--json"])
    assert run.exit_code == 0, run.output
    assert len(json.loads(run.output)["selected"]) == 1
