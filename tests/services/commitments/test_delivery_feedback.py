"""Residents of the wijk and the proposer confirm delivery or report a problem, once per kind."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import CommitmentStatus, DeliveryFeedback, Role
from app.models.freeze import seeding
from app.services.commitments.feedback import give_feedback
from app.services.errors import NotAllowed, RuleViolation
from tests.commitments_data import commitment_of, published_greedy_round
from tests.factories import make_user, make_wijk
from tests.results_data import service_context


def _deliver(project) -> int:
    commitment = commitment_of(project)
    commitment.status = CommitmentStatus.DELIVERED.value
    db.session.commit()
    return commitment.id


def test_a_resident_reports_a_problem_and_confirms_delivery(app: Flask, db_session) -> None:
    data = published_greedy_round(app)
    resident = make_user(Role.RESIDENT, wijk=data.round.wijk)
    commitment_id = commitment_of(data.a).id
    with service_context(app):
        give_feedback(resident, commitment_id, kind="report_problem", text=" Het hek staat nog open. ")
        with pytest.raises(RuleViolation):  # not delivered yet
            give_feedback(resident, commitment_id, kind="confirm_delivered", text="")
        _deliver(data.a)
        give_feedback(resident, commitment_id, kind="confirm_delivered", text="")
    kinds = db.session.scalars(select(DeliveryFeedback.kind).order_by(DeliveryFeedback.id)).all()
    assert kinds == ["report_problem", "confirm_delivered"]
    assert commitment_of(data.a).feedback[0].text == "Het hek staat nog open."


def test_once_per_resident_per_kind(app: Flask, db_session) -> None:
    data = published_greedy_round(app)
    resident = make_user(Role.RESIDENT, wijk=data.round.wijk)
    commitment_id = _deliver(data.a)
    with service_context(app):
        give_feedback(resident, commitment_id, kind="confirm_delivered", text="")
        with pytest.raises(RuleViolation, match="al"):
            give_feedback(resident, commitment_id, kind="confirm_delivered", text="")
    assert db.session.scalar(select(func.count(DeliveryFeedback.id))) == 1


def test_a_problem_report_needs_a_text(app: Flask, db_session) -> None:
    data = published_greedy_round(app)
    resident = make_user(Role.RESIDENT, wijk=data.round.wijk)
    with service_context(app), pytest.raises(RuleViolation) as refused:
        give_feedback(resident, commitment_of(data.a).id, kind="report_problem", text="  ")
    assert refused.value.field == "text"


def test_residents_of_another_wijk_cannot_respond_but_the_proposer_can(app: Flask, db_session) -> None:
    data = published_greedy_round(app)
    elsewhere = make_wijk()
    outsider = make_user(Role.RESIDENT, wijk=elsewhere)
    proposer = make_user(Role.RESIDENT, wijk=elsewhere)
    with seeding(db.session):  # the round's past: the proposer wrote the project before voting
        data.a.author_id = proposer.id
        db.session.commit()
    with service_context(app):
        with pytest.raises(NotAllowed):
            give_feedback(outsider, commitment_of(data.a).id, kind="report_problem", text="Kapot.")
        give_feedback(proposer, commitment_of(data.a).id, kind="report_problem", text="Kapot.")
    assert db.session.scalars(select(DeliveryFeedback.resident_id)).all() == [proposer.id]


def test_no_feedback_on_a_dropped_project(app: Flask, db_session) -> None:
    data = published_greedy_round(app)
    resident = make_user(Role.RESIDENT, wijk=data.round.wijk)
    commitment = commitment_of(data.a)
    commitment.status = CommitmentStatus.DROPPED.value
    db.session.commit()
    with service_context(app), pytest.raises(RuleViolation):
        give_feedback(resident, commitment.id, kind="report_problem", text="Waarom?")


def test_the_database_refuses_a_problem_report_without_text(app: Flask, db_session) -> None:
    data = published_greedy_round(app)
    resident = make_user(Role.RESIDENT, wijk=data.round.wijk)
    db.session.add(
        DeliveryFeedback(
            commitment_id=commitment_of(data.a).id, resident_id=resident.id, kind="report_problem", text=""
        )
    )
    with pytest.raises(Exception, match="problem_report_has_text"):
        db.session.flush()
    db.session.rollback()
