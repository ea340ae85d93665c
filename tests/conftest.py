"""Shared fixtures.

Database tests run on PostgreSQL (`TEST_DATABASE_URL`, default the local `test` database) with the
schema built once by running the migrations, and each test inside a transaction that is rolled back.
Tests that need real commits across connections (concurrency, Celery worker) use `committed_db`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import scoped_session, sessionmaker

from app import create_app
from app.config import TestConfig
from app.extensions import db

DEFAULT_TEST_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def database_url_for_tests() -> str:
    url = os.environ.get("TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _reset_schema(url: str) -> None:
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///") :]).unlink(missing_ok=True)
        return
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    except Exception as exc:  # noqa: BLE001 - turn any connection problem into a clear failure
        pytest.exit(f"PostgreSQL for the tests is unreachable at {url}: {exc}", returncode=3)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def app() -> Iterator[Flask]:
    from flask_migrate import upgrade

    url = database_url_for_tests()
    _reset_schema(url)
    application = create_app(TestConfig(url))
    with application.app_context():
        upgrade()
    yield application


class _TestSession(scoped_session):  # type: ignore[type-arg]
    """One session for the whole test; Flask-SQLAlchemy's teardown only rolls back what was not committed."""

    def remove(self) -> None:
        self.registry().rollback()


@pytest.fixture
def db_session(app: Flask) -> Iterator[scoped_session]:  # type: ignore[type-arg]
    """Everything a test (and the requests it makes) writes is rolled back at the end."""
    with app.app_context():
        connection = db.engine.connect()
    outer = connection.begin()
    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=True)
    session = _TestSession(factory, scopefunc=lambda: "test")
    original = db.session
    db.session = session
    try:
        yield session
    finally:
        db.session = original
        session.registry().close()
        outer.rollback()
        connection.close()


@pytest.fixture(autouse=True)
def empty_page_cache(request: pytest.FixtureRequest) -> None:
    """Every test starts with no cached public page (ids repeat after a rollback; the home page always does)."""
    if "app" not in request.fixturenames:
        return
    from app.extensions import cache

    with request.getfixturevalue("app").app_context():
        cache.clear()


@pytest.fixture
def committed_db(app: Flask) -> Iterator[None]:
    """Real commits (for concurrency and worker tests); every table is emptied afterwards."""
    yield
    empty_tables(app)


def empty_tables(app: Flask) -> None:
    """Empty every table (after tests that really commit)."""
    from tests.factories import forget_staff_with_fixed_wijken

    forget_staff_with_fixed_wijken()  # the ids start again at 1 after the TRUNCATE below
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                tables = ", ".join(t.name for t in db.metadata.sorted_tables)
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(db.metadata.sorted_tables):
                    conn.execute(table.delete())


@pytest.fixture
def client(app: Flask, db_session: scoped_session) -> FlaskClient:  # type: ignore[type-arg]
    return app.test_client()


@pytest.fixture
def outbox(app: Flask) -> Iterator[list]:  # type: ignore[type-arg]
    """The messages the app "sent" during this test (TestConfig keeps them in memory, not on the wire)."""
    state = app.extensions["mailman"]
    state.outbox = []
    yield state.outbox
    state.outbox = []


@pytest.fixture
def held_jobs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list]]:  # type: ignore[type-arg]
    """Jobs are written to the outbox as usual but not handed over: the test sees (name, args) of each and runs
    what it wants itself, e.g. to look at the state before a background check has run."""
    import tasks.relay
    from app.models import OutboxJob

    held: list[tuple[str, list]] = []  # type: ignore[type-arg]

    def hold(job_ids: Any) -> None:
        for job_id in job_ids:
            job = db.session.get(OutboxJob, job_id)
            if job is not None:
                held.append((job.name, list(job.args)))

    monkeypatch.setattr(tasks.relay, "hand_over", hold)
    return held


@pytest.fixture
def log_lines() -> Iterator[Any]:
    """A StringIO with every line the process logs during the test, formatted as in production (JSON)."""
    import io
    import logging

    from app.logs import configure_logging

    root = logging.getLogger()
    level = root.level
    stream = io.StringIO()
    handler = configure_logging(stream=stream)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)
