"""The beat task flags commitments past their planned date, once, and tells every organiser."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, CommitmentStatus, Notification, Role
from tasks.commitments import flag_overdue_commitments
from tasks.sweep import sweep_due_work
from tests.commitments_data import commitment_of, published_greedy_round
from tests.factories import make_user

PLANNED = date(2027, 3, 1)


def _plan(data) -> None:
    for project in data.winners:
        commitment_of(project).planned_delivery_on = PLANNED
    db.session.commit()


def test_an_overdue_commitment_is_flagged_once_and_organisers_are_told(app: Flask, db_session) -> None:
    data = published_greedy_round(app)
    _plan(data)
    organisers = [make_user(Role.ORGANISER), make_user(Role.ORGANISER), make_user(Role.ADMIN)]
    make_user(Role.RESIDENT)
    make_user(Role.PROFESSIONAL)
    delivered = commitment_of(data.b)
    delivered.status = CommitmentStatus.DELIVERED.value
    dropped = commitment_of(data.c)
    dropped.status = CommitmentStatus.DROPPED.value
    db.session.commit()

    # At 22:59 UTC it is 23:59 on 1 March in Amsterdam: the planned day itself, so not overdue yet.
    assert flag_overdue_commitments("2027-03-01T22:59:00+00:00") == []
    now = "2027-03-01T23:00:00+00:00"  # midnight in Amsterdam: 2 March
    flagged = flag_overdue_commitments(now)

    overdue = commitment_of(data.a)
    assert flagged == [overdue.id]
    assert overdue.overdue_since == datetime(2027, 3, 1, 23, 0, tzinfo=UTC)
    assert commitment_of(data.b).overdue_since is None
    assert commitment_of(data.c).overdue_since is None
    notes = db.session.scalars(select(Notification).where(Notification.kind == "commitment_overdue")).all()
    assert sorted(n.user_id for n in notes) == sorted(u.id for u in organisers)
    assert {n.project_id for n in notes} == {data.a.id}
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "commitment.overdue")).all()
    assert [e.details["commitment_id"] for e in events] == [overdue.id]


def test_flagging_is_idempotent(app: Flask, db_session) -> None:
    data = published_greedy_round(app)
    _plan(data)
    make_user(Role.ORGANISER)
    first = flag_overdue_commitments("2027-04-01T10:00:00+00:00")
    assert len(first) == 3
    flagged_at = commitment_of(data.a).overdue_since
    assert flag_overdue_commitments("2027-04-02T10:00:00+00:00") == []
    assert commitment_of(data.a).overdue_since == flagged_at
    notes = db.session.scalars(select(Notification).where(Notification.kind == "commitment_overdue")).all()
    assert len(notes) == 3


def test_delayed_and_in_progress_commitments_are_flagged_too(app: Flask, db_session) -> None:
    data = published_greedy_round(app)
    _plan(data)
    commitment_of(data.a).status = CommitmentStatus.DELAYED.value
    commitment_of(data.b).status = CommitmentStatus.IN_PROGRESS.value
    db.session.commit()
    assert len(flag_overdue_commitments("2027-04-01T10:00:00+00:00")) == 3


def test_without_now_the_real_clock_is_used(app: Flask, db_session) -> None:
    data = published_greedy_round(app)  # delivery planned a year from now
    assert flag_overdue_commitments() == []
    assert commitment_of(data.a).overdue_since is None


def test_the_minute_sweep_flags_overdue_commitments(app: Flask, db_session) -> None:
    celery = app.extensions["celery"]
    assert celery.conf.beat_schedule["sweep-due-work"]["schedule"] <= 60
    assert "wijkbudget.flag_overdue_commitments" in celery.tasks  # also callable on its own
    published_greedy_round(app)
    assert sweep_due_work()["commitments_flagged"] == 0  # delivery planned a year from now


def test_a_naive_now_is_refused(app: Flask, db_session) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        flag_overdue_commitments("2027-04-01T10:00:00")
