"""Integration: a real Celery worker on Redis publishes a closed round in the PostgreSQL test database, the job
going the way production's does: an outbox row written by the organiser's request, published after the commit.

Uses Redis database 5 of REDIS_URL's server and a queue of its own, so it does not meet other workers.
Without Redis the test is skipped, unless WIJKBUDGET_REQUIRE_SERVICES=1 (CI), where it fails.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from flask import Flask
from sqlalchemy import select

from app import config as app_config
from app import create_app
from app.extensions import db
from app.models import AuditEvent, OutboxJob, Phase, Result, Role, Round, User
from app.services.rounds import phases
from tasks import relay
from tasks.broker import celery_for
from tests import conftest
from tests.factories import make_user
from tests.results_data import realistic_round

pytestmark = pytest.mark.celery_worker

WORKER_REDIS_DB = 5


def _worker_redis_url() -> str:
    base = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    return urlunsplit(base._replace(path=f"/{WORKER_REDIS_DB}"))


def _require_redis(url: str) -> None:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        message = f"Redis is unreachable at {url}: {exc}"
        if os.environ.get("WIJKBUDGET_REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def worker_app(app: Flask) -> Iterator[Flask]:
    """A second Flask app in this process whose Celery really goes through Redis (not eager)."""
    url = _worker_redis_url()
    config = app_config.TestConfig(conftest.database_url_for_tests())
    config.CELERY = dict(
        config.CELERY,
        broker_url=url,
        task_always_eager=False,
        task_default_queue=f"wijkbudget-test-{uuid.uuid4().hex}",
        worker_hijack_root_logger=False,
    )
    application = create_app(config)
    try:
        yield application
    finally:
        with application.app_context():
            db.engine.dispose()
        # The embedded worker made its Celery app the process default; give it back to the test app.
        celery_for(app).set_default()
        celery_for(app).set_current()


def _wait_until_done(app: Flask, job_id: int, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            state = db.session.get(OutboxJob, job_id).state
            db.session.remove()
        if state in ("done", "failed"):
            return state
        time.sleep(0.2)
    return state


def test_real_worker_publishes_a_closed_round(app: Flask, worker_app: Flask, committed_db: None) -> None:
    _require_redis(_worker_redis_url())
    with app.app_context():
        data = realistic_round()
        round_id = data.round.id
        winners = [p.id for p in data.winners]
        organiser_id = make_user(Role.ORGANISER).id

    worker_celery = celery_for(worker_app)
    assert worker_celery.conf.task_always_eager is False
    with start_worker(worker_celery, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        with worker_app.app_context():
            phases.request_publication(db.session.get(User, organiser_id), round_id)
            job = db.session.scalars(
                select(OutboxJob).where(OutboxJob.name == "wijkbudget.publish_round")
            ).one()
            assert job.state in ("published", "running", "done")  # handed to Redis right after the commit
            job_id = job.id
        assert _wait_until_done(worker_app, job_id) == "done"
        with worker_app.app_context():  # a second delivery of the same job changes nothing
            relay.hand_over([job_id])
        time.sleep(1)

    with app.app_context():
        rnd = db.session.get(Round, round_id)
        result = db.session.scalars(select(Result).where(Result.round_id == round_id)).one()
        assert rnd.phase == Phase.PUBLISHED.value
        assert result.published_at is not None
        assert result.selected_project_ids == winners
        assert result.ballots_counted == 45
        assert db.session.get(OutboxJob, job_id).attempts == 1
        actions = [e.action for e in db.session.query(AuditEvent).filter_by(round_id=round_id)]
        assert sorted(actions) == ["publish.requested", "round.counted", "round.published"]
