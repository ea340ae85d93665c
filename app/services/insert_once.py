"""Insert a row unless its unique key already holds one: a double click or two tabs store it once.

The database decides (ON CONFLICT DO NOTHING on PostgreSQL and SQLite), so there is no check-then-insert race.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db


def insert_once(model: type, unique: list[str], **values: Any) -> None:
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(model).values(**values).on_conflict_do_nothing(index_elements=unique))
