"""Commitments: created with publication, set by organisers, a moved date always has a public reason."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.local_time import local_date
from app.models import AuditEvent, Commitment, CommitmentStatus, PlannedDateChange, Role
from app.services.commitments.promises import add_months, update_commitment
from app.services.errors import NotAllowed, RuleViolation
from app.services.results.publishing import publish_round
from tests.commitments_data import commitment_of, published_greedy_round
from tests.factories import make_project, make_round, make_user
from tests.results_data import cast_votes, realistic_round, service_context


def test_publishing_creates_one_planned_commitment_per_winner(app: Flask, db_session) -> None:
    data = realistic_round()
    with service_context(app):
        result = publish_round(data.round.id)
    commitments = db.session.scalars(select(Commitment).order_by(Commitment.id)).all()
    assert [c.project_id for c in commitments] == [p.id for p in data.winners]
    published_day = local_date(result.published_at)
    for commitment, project in zip(commitments, data.winners, strict=True):
        assert commitment.round_id == data.round.id
        assert commitment.status == CommitmentStatus.PLANNED.value
        assert commitment.budget_cents == project.cost_cents
        assert commitment.planned_delivery_on == add_months(published_day, 12)
        assert commitment.responsible_department == ""
        assert commitment.overdue_since is None


def test_publishing_again_adds_no_second_commitment(app: Flask, db_session) -> None:
    data = realistic_round()
    with service_context(app):
        publish_round(data.round.id)
        publish_round(data.round.id)
    assert db.session.scalar(select(func.count(Commitment.id))) == len(data.winners)


def test_refused_publication_creates_no_commitment(app: Flask, db_session) -> None:
    rnd = make_round()  # still in the proposal phase
    cast_votes(rnd, {make_project(rnd): 3})
    with service_context(app), pytest.raises(RuleViolation):
        publish_round(rnd.id)
    assert db.session.scalar(select(func.count(Commitment.id))) == 0


def test_months_until_delivery_are_configurable(app: Flask, db_session, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "COMMITMENT_DELIVERY_MONTHS", 6)
    data = realistic_round()
    with service_context(app):
        result = publish_round(data.round.id)
    assert commitment_of(data.speeltuin).planned_delivery_on == add_months(local_date(result.published_at), 6)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2027, 12, 15), 12, date(2028, 12, 15)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2026, 5, 1), 0, date(2026, 5, 1)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_last_day(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_local_date_is_the_dutch_calendar_day() -> None:
    assert local_date(datetime(2026, 6, 30, 22, 30, tzinfo=UTC)) == date(2026, 7, 1)


def test_organiser_names_department_and_professional(app: Flask, db_session) -> None:
    data = published_greedy_round(app)
    organiser, professional = make_user(Role.ORGANISER), make_user(Role.PROFESSIONAL)
    commitment = commitment_of(data.a)
    with service_context(app):
        update_commitment(
            organiser,
            commitment.id,
            department="  Stadsbeheer, team Groen ",
            responsible_user_id=professional.id,
            planned_delivery_on=None,
        )
    commitment = commitment_of(data.a)
    assert commitment.responsible_department == "Stadsbeheer, team Groen"
    assert commitment.responsible_user_id == professional.id
    assert db.session.scalar(select(func.count(PlannedDateChange.id))) == 0
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "commitment.updated")).one()
    assert event.actor_id == organiser.id
    assert event.details["after"]["department"] == "Stadsbeheer, team Groen"


def test_moving_the_date_needs_a_reason_and_is_kept(app: Flask, db_session) -> None:
    data = published_greedy_round(app)
    organiser = make_user(Role.ORGANISER)
    commitment = commitment_of(data.a)
    old_date = commitment.planned_delivery_on
    new_date = old_date + timedelta(days=90)
    with service_context(app):
        with pytest.raises(RuleViolation) as refused:
            update_commitment(
                organiser,
                commitment.id,
                department="",
                responsible_user_id=None,
                planned_delivery_on=new_date,
            )
        assert refused.value.field == "date_reason"
        assert commitment_of(data.a).planned_delivery_on == old_date
        update_commitment(
            organiser,
            commitment.id,
            department="",
            responsible_user_id=None,
            planned_delivery_on=new_date,
            date_reason="De leverancier van de toestellen levert later.",
        )
    change = db.session.scalars(select(PlannedDateChange)).one()
    assert (change.old_date, change.new_date) == (old_date, new_date)
    assert change.reason == "De leverancier van de toestellen levert later."
    assert change.actor_id == organiser.id
    assert commitment_of(data.a).planned_delivery_on == new_date


def test_moving_the_date_to_the_future_clears_the_overdue_flag(app: Flask, db_session) -> None:
    data = published_greedy_round(app)
    organiser = make_user(Role.ORGANISER)
    commitment = commitment_of(data.a)
    commitment.planned_delivery_on = date(2020, 1, 1)
    commitment.overdue_since = datetime(2020, 1, 2, tzinfo=UTC)
    db.session.commit()
    with service_context(app):
        update_commitment(
            organiser,
            commitment.id,
            department="",
            responsible_user_id=None,
            planned_delivery_on=local_date(datetime.now(UTC)) + timedelta(days=30),
            date_reason="Nieuwe planning na de zomer.",
        )
    assert commitment_of(data.a).overdue_since is None


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.PROFESSIONAL])
def test_only_organisers_change_a_commitment(app: Flask, db_session, role: Role) -> None:
    data = published_greedy_round(app)
    with service_context(app), pytest.raises(NotAllowed):
        update_commitment(
            make_user(role),
            commitment_of(data.a).id,
            department="X",
            responsible_user_id=None,
            planned_delivery_on=None,
        )
    assert commitment_of(data.a).responsible_department == ""


def test_the_responsible_person_is_a_professional(app: Flask, db_session) -> None:
    data = published_greedy_round(app)
    resident = make_user(Role.RESIDENT)
    with service_context(app), pytest.raises(RuleViolation) as refused:
        update_commitment(
            make_user(Role.ORGANISER),
            commitment_of(data.a).id,
            department="",
            responsible_user_id=resident.id,
            planned_delivery_on=None,
        )
    assert refused.value.field == "responsible_user_id"
    assert commitment_of(data.a).responsible_user_id is None


def test_a_dropped_commitment_cannot_change(app: Flask, db_session) -> None:
    data = published_greedy_round(app)
    commitment = commitment_of(data.a)
    commitment.status = CommitmentStatus.DROPPED.value
    db.session.commit()
    with service_context(app), pytest.raises(RuleViolation):
        update_commitment(
            make_user(Role.ORGANISER),
            commitment.id,
            department="X",
            responsible_user_id=None,
            planned_delivery_on=None,
        )
