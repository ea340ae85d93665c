"""The beat task moves rounds that are due, by the real clock."""

from __future__ import annotations

from flask import Flask

from app.extensions import db
from app.models import AuditEvent, Phase, Round
from tasks.phases import advance_phases
from tests.factories import make_round, phase_dates


def test_advance_phases_moves_a_due_round(app: Flask, db_session: object) -> None:
    due = make_round(phase=Phase.DRAFT, **phase_dates(Phase.PROPOSALS))
    not_due = make_round(phase=Phase.DRAFT)
    moved = advance_phases()
    assert moved == [due.id]
    db.session.expire_all()
    assert db.session.get(Round, due.id).phase == "proposals"
    assert db.session.get(Round, not_due.id).phase == "draft"
    event = db.session.query(AuditEvent).filter_by(round_id=due.id).one()
    assert event.details == {"from": "draft", "to": "proposals", "by": "date"}


def test_advance_phases_is_idempotent(app: Flask, db_session: object) -> None:
    make_round(phase=Phase.VOTING, **phase_dates(Phase.CLOSED))
    assert len(advance_phases()) == 1
    assert advance_phases() == []
