"""A publication killed half-way leaves nothing behind; the retried job leaves exactly one record.

Runs with real commits (`committed_db`) through the Celery task function, as a worker runs it: the job's
app context ends with the session removed, which rolls back whatever the killed attempt had written.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, ElectionRecord, Phase, Result, Round
from app.services.results import record as election_record
from app.services.results.record import published_record
from tasks.broker import celery_for
from tests.results_data import realistic_round


class Killed(RuntimeError):
    """Stands in for the worker dying after the result was flagged as published, before the commit."""


def _state(app: Flask, round_id: int) -> dict[str, object]:
    with app.app_context():
        result = db.session.scalar(select(Result).where(Result.round_id == round_id))
        state = {
            "phase": db.session.get(Round, round_id).phase,
            "published": result is not None and result.published_at is not None,
            "records": db.session.scalar(select(func.count(ElectionRecord.id))),
            "events": list(
                db.session.scalars(select(AuditEvent.action).where(AuditEvent.round_id == round_id))
            ),
        }
        db.session.remove()
    return state


def test_killed_publication_leaves_nothing_and_the_retry_one_record(
    app: Flask, committed_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        round_id = realistic_round().round.id
        db.session.remove()
    real_build = election_record.build_record_files
    flagged: list[bool] = []

    def dies_after_flagging(rnd, result, loaded, **_kw):  # type: ignore[no-untyped-def]
        flagged.append(result.published_at is not None and rnd.phase == Phase.PUBLISHED.value)
        raise Killed

    monkeypatch.setattr(election_record, "build_record_files", dies_after_flagging)
    task = celery_for(app).tasks["wijkbudget.publish_round"]
    with pytest.raises(Killed):
        task.apply(args=(round_id,)).get()
    assert flagged == [True]  # it really died inside the publishing transaction
    assert _state(app, round_id) == {"phase": "closed", "published": False, "records": 0, "events": []}

    monkeypatch.setattr(election_record, "build_record_files", real_build)
    result_id = task.apply(args=(round_id,)).get()
    task.apply(args=(round_id,)).get()  # a duplicate delivery changes nothing
    state = _state(app, round_id)
    assert state == {
        "phase": "published",
        "published": True,
        "records": 1,
        "events": ["round.counted", "round.published"],
    }
    with app.app_context():
        record = published_record(round_id)
        assert db.session.get(Result, result_id).round_id == record.round_id == round_id
        db.session.remove()
