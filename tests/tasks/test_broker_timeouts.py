"""Every call to Redis (broker, rate limits, page cache, health check) gives up within seconds: a Redis that does
not answer costs a request one short timeout, never a blocked worker thread (tests/faults shows it live)."""

from __future__ import annotations

import pytest

from app.config import Config
from app.services import health


@pytest.fixture
def production_config(monkeypatch: pytest.MonkeyPatch) -> Config:
    monkeypatch.setenv("REDIS_URL", "redis://redis:6379/0")
    monkeypatch.setenv("SECRET_KEY", "timeouts")
    return Config()


def test_broker_calls_have_short_timeouts_and_no_retries(production_config: Config) -> None:
    celery = production_config.CELERY
    transport = celery["broker_transport_options"]
    assert transport["socket_connect_timeout"] <= 2 and transport["socket_timeout"] <= 2
    assert transport["max_retries"] == 0
    assert celery["broker_connection_timeout"] <= 2


def test_other_redis_calls_have_short_timeouts(production_config: Config) -> None:
    assert max(production_config.RATELIMIT_STORAGE_OPTIONS.values()) <= 1
    assert max(production_config.CACHE_OPTIONS.values()) <= 1
    assert health.BROKER_TIMEOUT_SECONDS <= 1


def test_the_database_connect_times_out_too(
    production_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://wijkbudget@postgres/wijkbudget")
    options = Config().SQLALCHEMY_ENGINE_OPTIONS
    assert options["connect_args"] == {"connect_timeout": 5}
