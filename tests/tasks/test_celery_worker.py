"""Integration: a real Celery worker on Redis publishes a closed round in the PostgreSQL test database.

Uses Redis database 5 of REDIS_URL's server and a queue of its own, so it does not meet other workers.
Without Redis the test is skipped, unless WIJKBUDGET_REQUIRE_SERVICES=1 (CI), where it fails.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from flask import Flask

from app import config as app_config
from app import create_app
from app.celery_app import celery_for
from app.extensions import db
from app.models import AuditEvent, Phase, Result, Round
from tests import conftest
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
        result_backend=url,
        task_always_eager=False,
        task_default_queue=f"wijkbudget-test-{uuid.uuid4().hex}",
        result_expires=600,
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


def test_real_worker_publishes_a_closed_round(app: Flask, worker_app: Flask, committed_db: None) -> None:
    _require_redis(_worker_redis_url())
    with app.app_context():
        data = realistic_round()
        round_id = data.round.id
        winners = [p.id for p in data.winners]

    worker_celery = celery_for(worker_app)
    assert worker_celery.conf.task_always_eager is False
    with start_worker(worker_celery, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        async_result = worker_celery.tasks["wijkbudget.publish_round"].delay(round_id)
        result_id = async_result.get(timeout=60)
        again = worker_celery.tasks["wijkbudget.publish_round"].delay(round_id).get(timeout=60)

    assert again == result_id
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        result = db.session.get(Result, result_id)
        assert rnd.phase == Phase.PUBLISHED.value
        assert result.round_id == round_id
        assert result.published_at is not None
        assert result.selected_project_ids == winners
        assert result.ballots_counted == 45
        actions = [e.action for e in db.session.query(AuditEvent).filter_by(round_id=round_id)]
        assert sorted(actions) == ["round.counted", "round.published"]
