"""`/healthz`: 200 when the database (and the broker, when configured) answer, 503 otherwise, no details."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

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
def other_app(app: Flask) -> Iterator[Callable[[str], Flask]]:
    """`other_app(database_url)`: an app on another database, without a broker."""
    built: list[Flask] = []

    def build(url: str) -> Flask:
        other = create_app(TestConfig(url))
        other.config["REDIS_URL"] = ""
        built.append(other)
        return other

    yield build
    for other in built:
        with other.app_context():
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


def test_the_embedded_default_is_healthy(other_app: Callable[[str], Flask], tmp_path: Path) -> None:
    embedded = other_app(f"sqlite:///{tmp_path / 'wijkbudget.sqlite'}")
    assert embedded.test_client().get("/healthz").status_code == 200


def test_database_down_is_503_without_details(other_app: Callable[[str], Flask]) -> None:
    response = (
        other_app(_closed_port_url("postgresql+psycopg").replace("/0", "/test")).test_client().get("/healthz")
    )
    assert response.status_code == 503
    assert response.get_data(as_text=True) == "unavailable\n"
