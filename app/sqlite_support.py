"""Make the embedded SQLite default keep the same promises as PostgreSQL.

pysqlite starts transactions lazily and ignores SAVEPOINTs, and SQLite leaves foreign keys off by default.
The ballot path relies on savepoints and every table on its foreign keys, so both are switched on here,
and the write-ahead log lets readers and one writer work at the same time.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event


def configure_sqlite(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself (savepoints work)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        # WAL lets readers go on while one writer commits (an in-process task inside a request, a second tab).
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")
