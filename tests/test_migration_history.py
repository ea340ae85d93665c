"""Migrations are history: the initial one is frozen, and an upgrade keeps the data a live database holds.

- 0001 is applied on live databases; editing it would leave them on a schema the code no longer describes.
  Its bytes are pinned here: a model change gets its own revision (`scripts/new_migration.sh`).
- On a database of its own, the suite fills the revision before head with plain SQL (as a live database at
  that revision holds it), upgrades to head and checks every row and value survived. When a new revision makes
  `FILL` invalid at the revision before it, extend `FILL` for that revision's schema.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.models import Ballot, Project, Result, Round
from tasks.broker import celery_for
from tests.conftest import database_url_for_tests

ROOT = Path(__file__).resolve().parents[1]
INITIAL = ROOT / "migrations" / "versions" / "0001_initial_schema.py"
INITIAL_SHA256 = "462c54c2b14f8b1d030311f4ac9bdde2510e7509a6df1aeb4bd53a457ea606c7"

FILL = {
    "wijken": "INSERT INTO wijken (id, name, municipality, postcodes) VALUES (1, 'Lombok', 'Utrecht', '[\"3531\"]')",
    "buurten": "INSERT INTO buurten (id, wijk_id, name) VALUES (1, 1, 'Lombok-West')",
    "users": """INSERT INTO users (id, email, name, password_hash, role, language, created_at)
        VALUES (1, 'organisator@voorbeeld.nl', 'Organisator', 'pbkdf2:sha256$x', 'organiser', 'nl',
                '2026-01-05 09:00+00')""",
    "rounds": """INSERT INTO rounds (id, wijk_id, title, phase, proposals_open_at, review_open_at, voting_open_at,
            voting_close_at, results_at, budget_cents, min_project_cost_cents, max_project_cost_cents,
            categories, ballot_type, min_choices, max_choices, counting_rule, tie_break, leftover_policy,
            out_of_scope, eligibility, register_level, min_age, register_retention_days, created_at)
        VALUES (1, 1, 'Lombok 2026', 'published', '2026-01-10 09:00+00', '2026-02-10 09:00+00',
            '2026-03-10 09:00+00', '2026-03-24 17:00+00', '2026-03-25 09:00+00', 5000000, 100000, 2500000,
            '["Groen", "Ontmoeten"]', 'approval', 1, 3, 'greedy', 'default', 'return', 'Onderhoud',
            'letter_codes', 'person', 16, 90, '2026-01-05 09:00+00')""",
    "projects": """INSERT INTO projects (id, round_id, title, description, cost_cents, original_cost_cents,
            category, status, cost_change_reason, created_at, updated_at)
        VALUES (1, 1, 'Bankjes aan de Kruisvaart', 'Zes bankjes langs het water', 1200000, 1200000, 'Ontmoeten',
            'feasible', NULL, '2026-01-12 10:00+00', '2026-02-12 10:00+00'),
               (2, 1, 'Geveltuinen', 'Tegels eruit, planten erin', 800000, 900000, 'Groen',
            'feasible', 'Goedkopere tegels', '2026-01-13 10:00+00', '2026-02-13 10:00+00')""",
    "ballots": """INSERT INTO ballots (id, round_id, voter_key, receipt_code, channel, status)
        VALUES ('5b0c1a7e-0000-4000-8000-000000000001', 1, 'key-1', 'ACDE-FGHJ-KMNP', 'online_code', 'counted'),
               ('5b0c1a7e-0000-4000-8000-000000000002', 1, 'key-2', 'QRTU-VWXY-3467', 'paper', 'counted')""",
    "ballot_choices": """INSERT INTO ballot_choices (ballot_id, project_id, round_id)
        VALUES ('5b0c1a7e-0000-4000-8000-000000000001', 1, 1), ('5b0c1a7e-0000-4000-8000-000000000001', 2, 1),
               ('5b0c1a7e-0000-4000-8000-000000000002', 2, 1)""",
    "results": """INSERT INTO results (id, round_id, rule, tie_break, tie_break_detail, project_results,
            selected_project_ids, total_cost_cents, ballots_counted, computed_at)
        VALUES (1, 1, 'greedy', 'default', '{"lot": "abc"}', '[{"project_id": 2, "votes": 2}]', '[2, 1]',
            2000000, 2, '2026-03-24 18:00+00')""",
    "outbox_jobs": """INSERT INTO outbox_jobs (id, name, args, state, attempts, available_at, created_at)
        VALUES (1, 'wijkbudget.publish_round', '[1]', 'done', 1, '2026-03-25 09:00+00', '2026-03-25 09:00+00')""",
}


def test_the_initial_migration_is_frozen() -> None:
    digest = hashlib.sha256(INITIAL.read_bytes()).hexdigest()
    assert digest == INITIAL_SHA256, (
        "migrations/versions/0001_initial_schema.py changed. It is applied on live databases and frozen: "
        "undo the edit and put the change in a revision of its own (scripts/new_migration.sh)."
    )


def test_one_linear_history() -> None:
    scripts = ScriptDirectory(str(ROOT / "migrations"))
    assert len(scripts.get_heads()) == 1
    revisions = list(scripts.walk_revisions())
    assert revisions[-1].revision == "0001" and all(r.down_revision is not None for r in revisions[:-1])


@pytest.fixture
def scratch_database(app: Flask) -> Iterator[Flask]:
    """An app on a database of this test's own (`<test database>_upgrade`), created empty and dropped after."""
    url = make_url(database_url_for_tests())
    name = f"{url.database}_upgrade"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    scratch = create_app(TestConfig(url.set(database=name).render_as_string(hide_password=False)))
    try:
        yield scratch
    finally:
        with scratch.app_context():
            db.session.remove()
            db.engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        celery_for(app).set_default()
        celery_for(app).set_current()


def _rows(table: str) -> list[dict[str, Any]]:
    result = db.session.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2"))  # noqa: S608 - our own names
    return [dict(row._mapping) for row in result]


def test_upgrading_a_database_with_data_from_the_previous_revision_keeps_it(scratch_database: Flask) -> None:
    head = ScriptDirectory(str(ROOT / "migrations")).get_revision("head")
    previous = head.down_revision
    assert isinstance(previous, str)
    with scratch_database.app_context():
        upgrade(revision=previous)
        for statement in FILL.values():
            db.session.execute(text(statement))
        db.session.commit()
        before = {table: _rows(table) for table in FILL}
        db.session.remove()  # the upgrade runs on a connection of its own and must not wait for this one

        upgrade(revision="head")
        for table, rows in before.items():
            after = _rows(table)
            assert len(after) == len(rows), table
            for old, new in zip(rows, after, strict=True):
                assert old.items() <= new.items(), f"{table}: {old} became {new}"
        # The models at head read the old rows.
        rnd = db.session.get(Round, 1)
        assert rnd is not None and rnd.title == "Lombok 2026" and rnd.wijk.name == "Lombok"
        assert sorted(p.title for p in db.session.query(Project)) == [
            "Bankjes aan de Kruisvaart",
            "Geveltuinen",
        ]
        assert db.session.query(Ballot).count() == 2
        result = db.session.query(Result).one()
        assert result.selected_project_ids == [2, 1] and result.ballots_counted == 2
