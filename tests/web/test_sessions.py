"""Sessions and logins: logout ends the session everywhere, login starts a fresh one, CSRF tokens expire,
the login limit counts failures only (per address and per account), X-Forwarded-For only behind TRUSTED_PROXIES."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf.csrf import generate_csrf, validate_csrf
from itsdangerous.timed import TimestampSigner
from wtforms import ValidationError

from app import create_app
from app.config import TestConfig
from app.extensions import limiter
from app.models import Role
from tests.conftest import database_url_for_tests
from tests.factories import PASSWORD, login, make_user


def _session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def test_a_copied_session_cookie_stops_working_at_logout(app: Flask, client: FlaskClient) -> None:
    user = make_user(Role.PROFESSIONAL)
    login(client, user)
    thief = app.test_client()
    thief.set_cookie("session", _session_cookie(client))
    assert thief.get("/toets/").status_code == 200
    client.post("/uitloggen")
    assert thief.get("/toets/").status_code == 302  # to the login page
    assert client.get("/toets/").status_code == 302


def test_login_renews_the_session(client: FlaskClient) -> None:
    user = make_user()
    with client.session_transaction() as before:
        before["planted"] = "by someone at this computer"
        before["csrf_token"] = "a token someone else knows"
        before["lang"] = "en"
    login(client, user)
    with client.session_transaction() as after:
        assert "planted" not in after
        assert after.get("csrf_token") != "a token someone else knows"
        assert after["lang"] == user.language


def test_csrf_tokens_expire(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    limit = app.config["WTF_CSRF_TIME_LIMIT"]
    assert limit and limit <= 24 * 3600
    with app.test_request_context():
        token = generate_csrf()
        validate_csrf(token)  # fresh: fine
        later = int(time.time()) + limit + 1
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
        with pytest.raises(ValidationError):
            validate_csrf(token)


# --- the login limit ------------------------------------------------------------------------------------


def _limited_app(**settings: Any) -> Flask:
    config = TestConfig(database_url_for_tests())
    config.RATELIMIT_ENABLED = True
    config.RATELIMIT_STORAGE_URI = "memory://"
    for name, value in settings.items():
        setattr(config, name, value)
    return create_app(config)


@pytest.fixture
def limited(db_session: object) -> Iterator[FlaskClient]:
    yield _limited_app().test_client()
    limiter.enabled = False  # the shared test app runs without limits, as configured


def _login(client: FlaskClient, email: str, password: str, address: str, forwarded_for: str = "") -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    response = client.post(
        "/inloggen",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
        headers=headers,
    )
    client.post("/uitloggen", environ_base={"REMOTE_ADDR": address})
    return response.status_code


def test_good_logins_from_one_address_never_count(limited: FlaskClient) -> None:
    residents = [make_user() for _ in range(12)]
    for user in residents:  # a buurthuis: one address, many residents logging in
        assert _login(limited, user.email, PASSWORD, "10.0.0.1") == 302
    stranger = make_user()
    for _ in range(10):
        assert _login(limited, "niemand@example.nl", "geraden", "10.0.0.1") == 200
    assert _login(limited, "niemand@example.nl", "geraden", "10.0.0.1") == 429
    assert _login(limited, stranger.email, PASSWORD, "10.0.0.2") == 302  # another address is not affected


def test_failures_from_many_addresses_count_against_the_account(limited: FlaskClient) -> None:
    victim = make_user()
    for attempt in range(10):  # 10 guesses spread over three addresses
        assert _login(limited, victim.email, f"gok {attempt}", f"10.0.1.{attempt % 3}") == 200
    assert _login(limited, victim.email, PASSWORD, "10.0.1.9") == 429  # even the right password waits now
    other = make_user()
    assert _login(limited, other.email, PASSWORD, "10.0.1.1") == 302


def test_forwarded_for_is_ignored_without_trusted_proxies(limited: FlaskClient) -> None:
    for attempt in range(10):
        assert _login(limited, f"x{attempt}@example.nl", "gok", "10.0.2.1", f"1.2.3.{attempt}") == 200
    assert _login(limited, "y@example.nl", "gok", "10.0.2.1", "1.2.3.99") == 429


def test_forwarded_for_names_the_visitor_behind_trusted_proxies(db_session: object) -> None:
    client = _limited_app(TRUSTED_PROXIES=1).test_client()
    try:
        for attempt in range(10):
            assert _login(client, f"x{attempt}@example.nl", "gok", "10.0.3.1", "1.2.3.4") == 200
        assert _login(client, "y@example.nl", "gok", "10.0.3.1", "1.2.3.4") == 429
        # Another visitor behind the same proxy is someone else.
        assert _login(client, "y@example.nl", "gok", "10.0.3.1", "5.6.7.8") == 200
    finally:
        limiter.enabled = False
