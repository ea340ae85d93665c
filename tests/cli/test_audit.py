"""`wijkbudget audit verify`: exit 0 with a summary when the chain is intact, exit 1 at the first break."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import update

from app.cli.audit import audit_group
from app.extensions import db
from app.models import AuditEvent
from app.services.audit import head_hash, record_event


def _events(n: int) -> list[int]:
    ids = []
    for i in range(n):
        event = record_event(None, "phase.advanced", details={"i": i})
        db.session.commit()
        ids.append(event.id)
    return ids


def test_intact_chain_exits_zero_with_a_summary(app: Flask, db_session: object) -> None:
    with app.app_context():
        _events(3)
        head = head_hash()
        result = app.test_cli_runner().invoke(audit_group, ["verify", "--head", str(head).upper()])
    assert result.exit_code == 0, result.output
    assert f"intact: 3 entries, head {head}" in result.output


def test_broken_chain_exits_one_naming_the_first_bad_entry(app: Flask, db_session: object) -> None:
    with app.app_context():
        ids = _events(3)
        db.session.execute(update(AuditEvent).where(AuditEvent.id == ids[1]).values(details={"i": 7}))
        result = app.test_cli_runner().invoke(audit_group, ["verify"])
    assert result.exit_code == 1, result.output
    assert f"BROKEN at entry {ids[1]}: edited" in result.output


def test_unknown_head_exits_one(app: Flask, db_session: object) -> None:
    with app.app_context():
        _events(1)
        result = app.test_cli_runner().invoke(audit_group, ["verify", "--head", "ab" * 32])
    assert result.exit_code == 1
    assert "head_missing" in result.output
