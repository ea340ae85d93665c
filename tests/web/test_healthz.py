"""`/healthz`: 200 when the database (and the broker, when configured) answer, 503 otherwise, no details."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.config import TestConfig
from app.extensions import db
from tasks.broker import celery_for
from tests.faults.processes import free_port


def _closed_port_url(scheme: str) -> str:
    return f"{scheme}://127.0.0.1:{free_port()}/0"  # nothing listens there


@pytest.fixture
def app_without_database(app: Flask) -> Iterator[Flask]:
    url = _closed_port_url("postgresql+psycopg").replace("/0", "/test")
    broken = create_app(TestConfig(url))
    broken.config["REDIS_URL"] = ""
    try:
        yield broken
    finally:
        with broken.app_context():
            db.engine.dispose()
        celery_for(app).set_default()
        celery_for(app).set_current()


def test_healthy_with_database_and_broker(app: Flask, client: FlaskClient) -> None:
    assert app.config["REDIS_URL"], "the tests run with a broker (REDIS_URL)"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok\n"
    assert response.headers["Cache-Control"] == "no-store"


def test_healthy_without_a_broker_configured(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", "")
    assert client.get("/healthz").status_code == 200


def test_broker_down_is_503_without_details(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", _closed_port_url("redis"))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_data(as_text=True) == "unavailable\n"


def test_database_down_is_503_without_details(app_without_database: Flask) -> None:
    response = app_without_database.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_data(as_text=True) == "unavailable\n"
