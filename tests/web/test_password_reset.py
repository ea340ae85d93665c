"""Forgotten password: a mailed link that works once, for one hour, and never tells whether an account exists."""

from __future__ import annotations

import re
import time

import pytest
from flask.testing import FlaskClient
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select

from app.extensions import db
from app.models import OutgoingEmail, Role
from tests.factories import PASSWORD, login, make_user

NEW_PASSWORD = "groene fiets onder de brug"


def _ask(client: FlaskClient, email: str) -> str:
    response = client.post("/wachtwoord-vergeten", data={"email": email})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _link(outbox: list) -> str:  # type: ignore[type-arg]
    match = re.search(r"http://wijkbudget\.test(/wachtwoord-kiezen/\S+)", outbox[-1].body)
    assert match, outbox[-1].body
    return match.group(1)


def _logs_in(client: FlaskClient, email: str, password: str) -> bool:
    return client.post("/inloggen", data={"email": email, "password": password}).status_code == 302


def test_the_login_page_links_to_the_form(client: FlaskClient) -> None:
    assert 'href="/wachtwoord-vergeten"' in client.get("/inloggen").get_data(as_text=True)
    assert "Wachtwoord vergeten?" in client.get("/wachtwoord-vergeten").get_data(as_text=True)


def test_mailed_link_sets_a_new_password_and_the_old_one_fails(client: FlaskClient, outbox: list) -> None:  # type: ignore[type-arg]
    user = make_user(email="sanne@example.nl")
    _ask(client, "Sanne@Example.nl ")
    assert db.session.scalars(select(OutgoingEmail.to)).all() == ["sanne@example.nl"]
    assert len(outbox) == 1 and outbox[0].to == ["sanne@example.nl"]
    link = _link(outbox)
    form = client.get(link)
    assert form.status_code == 200 and "Kies een nieuw wachtwoord" in form.get_data(as_text=True)
    done = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"].endswith("/inloggen")
    assert not _logs_in(client, user.email, PASSWORD)
    assert _logs_in(client, user.email, NEW_PASSWORD)


def test_a_new_password_ends_every_other_session(app, client: FlaskClient, outbox: list) -> None:  # type: ignore[no-untyped-def,type-arg]
    user = make_user(Role.PROFESSIONAL)
    other_browser = app.test_client()
    login(other_browser, user)
    assert other_browser.get("/toets/").status_code == 200
    _ask(client, user.email)
    link = _link(outbox)
    client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert other_browser.get("/toets/").status_code == 302


def test_reused_link_gets_a_clear_page_and_changes_nothing(client: FlaskClient, outbox: list) -> None:  # type: ignore[type-arg]
    user = make_user()
    _ask(client, user.email)
    link = _link(outbox)
    client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    again = client.post(
        link, data={"password": "nog een ander wachtwoord erbij", "confirm": "nog een ander wachtwoord erbij"}
    )
    assert again.status_code == 400
    assert "al gebruikt" in again.get_data(as_text=True)
    assert "Er is niets veranderd." in again.get_data(as_text=True)
    assert _logs_in(client, user.email, NEW_PASSWORD)


def test_expired_link_gets_a_clear_page_and_changes_nothing(
    client: FlaskClient,
    outbox: list,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[type-arg]
) -> None:
    user = make_user()
    _ask(client, user.email)
    link = _link(outbox)
    later = int(time.time()) + 3601
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert "verlopen" in response.get_data(as_text=True)
    monkeypatch.undo()
    assert _logs_in(client, user.email, PASSWORD)


def test_tampered_link_is_refused(client: FlaskClient) -> None:
    response = client.get("/wachtwoord-kiezen/not-a-token")
    assert response.status_code == 400 and "niet geldig" in response.get_data(as_text=True)


def test_weak_new_password_is_refused_with_the_reason(client: FlaskClient, outbox: list) -> None:  # type: ignore[type-arg]
    user = make_user()
    _ask(client, user.email)
    response = client.post(_link(outbox), data={"password": "password123", "confirm": "password123"})
    assert response.status_code == 200 and "gelekte wachtwoorden" in response.get_data(as_text=True)
    assert _logs_in(client, user.email, PASSWORD)


def test_the_answer_never_tells_whether_an_account_exists(client: FlaskClient, outbox: list) -> None:  # type: ignore[type-arg]
    user = make_user()
    known = _ask(client, user.email)
    unknown = _ask(client, "niemand@example.nl")
    strip = re.compile(r'name="csrf_token"[^>]*>')
    assert strip.sub("", known) == strip.sub("", unknown)
    # Either way one e-mail goes out; to an unknown address it says no account uses it (no link).
    assert [m.to for m in outbox] == [[user.email], ["niemand@example.nl"]]
    assert "wachtwoord-kiezen" not in outbox[1].body and "geen account" in outbox[1].body


def test_embedded_default_writes_the_mail_to_the_outbox_folder(
    app,
    client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    from tests.mail_support import read_outbox, use_backend

    use_backend(monkeypatch, app, "file", file_path=str(tmp_path))
    user = make_user()
    _ask(client, user.email)
    [message] = read_outbox(tmp_path)
    assert message["To"] == user.email
    body = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    link = re.search(r"http://wijkbudget\.test(/wachtwoord-kiezen/\S+)", body)
    assert link
    client.post(link.group(1), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert not _logs_in(client, user.email, PASSWORD) and _logs_in(client, user.email, NEW_PASSWORD)


def test_the_link_ignores_a_forged_host_header(client: FlaskClient, outbox: list) -> None:  # type: ignore[type-arg]
    user = make_user()
    client.post("/wachtwoord-vergeten", data={"email": user.email}, headers={"Host": "evil.example"})
    assert "evil.example" not in outbox[-1].body and "http://wijkbudget.test/" in outbox[-1].body
