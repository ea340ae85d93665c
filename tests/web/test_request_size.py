"""Request bodies are capped: a clear 413 page instead of reading whatever is sent, smaller when not logged in."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.models import Role
from tests.factories import login, make_user

MB = 1024 * 1024


def _post(client: FlaskClient, path: str, size: int) -> Any:
    body = b"email=a%40b.nl&password=" + b"x" * size
    return client.post(path, data=body, content_type="application/x-www-form-urlencoded")


def test_a_body_over_the_cap_gets_a_clear_413_page(app: Flask, client: FlaskClient, db_session: Any) -> None:
    login(client, make_user(Role.ORGANISER))
    response = _post(client, "/inloggen", app.config["MAX_CONTENT_LENGTH"] + 1)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Wat je verstuurde is te groot" in page and "16 MB" in page


def test_anonymous_visitors_have_a_smaller_cap(app: Flask, client: FlaskClient, db_session: Any) -> None:
    response = _post(client, "/inloggen", 2 * MB)
    assert response.status_code == 413
    assert "0.25 MB" in response.get_data(as_text=True)
    assert _post(client, "/inloggen", 1000).status_code == 200  # a normal login form is read


def test_logged_in_staff_may_send_more_than_anonymous_visitors(client: FlaskClient, db_session: Any) -> None:
    login(client, make_user(Role.ORGANISER))
    assert _post(client, "/inloggen", 2 * MB).status_code != 413


def test_the_csrf_check_does_not_read_an_oversized_anonymous_body(
    app: Flask, client: FlaskClient, db_session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert _post(client, "/inloggen", 2 * MB).status_code == 413
