"""Fixtures for the fault tests: the production shape (a broker, real workers) on this machine's PostgreSQL.

The web side is an in-process app built from the same environment as the worker processes (`production_env`),
so both hold the same secrets and talk to the same database and Redis. Data is really committed;
`committed_db` empties the tables afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app import create_app
from app.config import Config, TestConfig
from app.extensions import db, limiter
from app.models import CodeBatch
from tasks import relay
from tasks.broker import celery_for
from tests.conftest import database_url_for_tests
from tests.faults.processes import RedisServer
from tests.mail_support import CollectingHandler, smtp_server

pytestmark = pytest.mark.faults


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp() -> Iterator[tuple[CollectingHandler, int]]:
    with smtp_server() as (handler, port):
        yield handler, port


def production_env(tmp_path: Path, redis_url: str, smtp_port: int, **extra: str) -> dict[str, str]:
    """The environment of a production install, pointed at the test database and this test's services."""
    test = TestConfig(database_url_for_tests())
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "DATABASE_URL": test.SQLALCHEMY_DATABASE_URI,
        "REDIS_URL": redis_url,
        "SECRET_KEY": test.SECRET_KEY,
        "VOTER_KEY_SECRET": test.VOTER_KEY_SECRET,
        "VOTING_CODE_SECRET": test.VOTING_CODE_SECRET,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "PUBLIC_BASE_URL": "http://wijkbudget.test",
        "STORAGE_DIR": str(tmp_path / "storage"),
        "SWEEP_INTERVAL_SECONDS": "2",
        "JOB_BACKOFF_SCALE": "0.02",
    }
    return env | extra


def letter_batch_done(app: Flask) -> bool:
    """Whether the test's one letter batch is made (read afresh: a worker process wrote it)."""
    with app.app_context():
        db.session.expire_all()
        return db.session.scalars(select(CodeBatch.status)).one() == "done"


@pytest.fixture
def production_app(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """`production_app(env)` builds the web app from `env` exactly as gunicorn would (CSRF off for brevity)."""
    built: list[Flask] = []

    def build(env: dict[str, str]) -> Flask:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        config = Config()
        config.WTF_CSRF_ENABLED = False
        config.TESTING = True
        web = create_app(config)
        built.append(web)
        return web

    yield build
    for web in built:
        with web.app_context():
            db.session.remove()
            db.engine.dispose()
    relay.reset_breaker()
    limiter.enabled = False  # the shared test app runs without limits, as configured
    # Building an app made its Celery app the process default; give it back to the test app.
    celery_for(app).set_default()
    celery_for(app).set_current()
