"""Two-step login: required for admins and organisers (set up at the first login), optional for professionals
and poll workers; a code works once; recovery codes work once each."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Role, User
from tests.factories import PASSWORD, TOTP_SECRET, current_totp_code, login, make_user


def _password(client: FlaskClient, user: User) -> str:
    response = client.post("/inloggen", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response.headers["Location"]


def _secret_on(page: str) -> str:
    match = re.search(r'<code id="secret"[^>]*>([A-Z2-7 ]+)</code>', page)
    assert match, page
    return match.group(1).replace(" ", "")


def test_an_organiser_sets_it_up_at_the_first_login_without_javascript(client: FlaskClient) -> None:
    organiser = make_user(Role.ORGANISER, totp_secret=None)
    assert _password(client, organiser).endswith("/inloggen/tweede-stap-instellen")
    assert client.get("/organiseren/").status_code == 302  # not logged in yet
    page = client.get("/inloggen/tweede-stap-instellen").get_data(as_text=True)
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    assert "<script" not in main  # the set-up works without JavaScript
    assert re.findall(r"<script\b(?![^>]*\bsrc=)", page) == []  # and the CSP allows script files only
    secret = _secret_on(page)
    qr = client.get("/inloggen/tweede-stap-instellen/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    wrong = client.post("/inloggen/tweede-stap-instellen", data={"code": "000000"})
    assert "Deze code klopt niet" in wrong.get_data(as_text=True)
    done = client.post("/inloggen/tweede-stap-instellen", data={"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<code>([0-9a-f]{4}(?:-[0-9a-f]{4}){3})</code>", done.get_data(as_text=True))
    assert done.status_code == 200 and len(codes) == 10
    assert client.get("/organiseren/").status_code == 200
    db.session.refresh(organiser)
    assert organiser.totp_secret == secret and secret not in str(organiser.recovery_code_hashes)


def test_password_alone_is_not_enough_and_a_code_works_once(app: Flask, client: FlaskClient) -> None:
    admin = make_user(Role.ADMIN)
    assert _password(client, admin).endswith("/inloggen/code")
    assert client.get("/beheer/medewerkers/").status_code == 302
    assert client.post("/inloggen/code", data={"code": "123456"}).status_code == 200
    code = current_totp_code(admin)
    assert client.post("/inloggen/code", data={"code": code}).status_code == 302
    assert client.get("/beheer/medewerkers/").status_code == 200
    # Someone who saw the code tries it in another browser with the password: refused.
    other = app.test_client()
    _password(other, admin)
    replay = other.post("/inloggen/code", data={"code": code})
    assert replay.status_code == 200 and "Deze code klopt niet" in replay.get_data(as_text=True)


def test_a_recovery_code_works_once(app: Flask, client: FlaskClient) -> None:
    organiser = make_user(Role.ORGANISER, totp_secret=None)
    _password(client, organiser)
    secret = _secret_on(client.get("/inloggen/tweede-stap-instellen").get_data(as_text=True))
    page = client.post("/inloggen/tweede-stap-instellen", data={"code": pyotp.TOTP(secret).now()})
    recovery = re.findall(r"<code>([0-9a-f-]{19})</code>", page.get_data(as_text=True))[0]
    client.post("/uitloggen")
    _password(client, organiser)
    assert client.post("/inloggen/code", data={"code": recovery.upper()}).status_code == 302
    client.post("/uitloggen")
    _password(client, organiser)
    assert client.post("/inloggen/code", data={"code": recovery}).status_code == 200
    assert "Herstelcodes over: 9" in _profile_after_login(client, organiser)


def _profile_after_login(client: FlaskClient, user: User) -> str:
    client.post("/inloggen/code", data={"code": current_totp_code(user)})
    return client.get("/profiel").get_data(as_text=True)


def test_a_pending_login_expires(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    admin = make_user(Role.ADMIN)
    _password(client, admin)
    code = current_totp_code(admin)
    real = time.time
    monkeypatch.setattr("app.web.auth.two_step_views.time.time", lambda: real() + 601)
    response = client.post("/inloggen/code", data={"code": code})
    assert response.status_code == 302 and response.headers["Location"].endswith("/inloggen")


def test_optional_for_a_professional(client: FlaskClient) -> None:
    professional = make_user(Role.PROFESSIONAL)
    login(client, professional)  # no second step yet
    profile = client.get("/profiel").get_data(as_text=True)
    assert "Inloggen in twee stappen staat uit" in profile
    secret = _secret_on(client.get("/inloggen/tweede-stap-instellen").get_data(as_text=True))
    client.post("/inloggen/tweede-stap-instellen", data={"code": pyotp.TOTP(secret).now()})
    client.post("/uitloggen")
    assert _password(client, professional).endswith("/inloggen/code")
    client.post("/inloggen/code", data={"code": current_totp_code(professional)})
    assert client.post("/profiel/tweede-stap-uit").status_code == 302
    db.session.refresh(professional)
    assert professional.totp_secret is None


def test_organisers_cannot_switch_it_off_and_residents_are_not_offered_it(client: FlaskClient) -> None:
    organiser = make_user(Role.ORGANISER)
    login(client, organiser)
    assert "Zet inloggen in twee stappen uit" not in client.get("/profiel").get_data(as_text=True)
    client.post("/profiel/tweede-stap-uit")
    db.session.refresh(organiser)
    assert organiser.totp_secret == TOTP_SECRET
    client.post("/uitloggen")
    login(client, make_user(Role.RESIDENT))
    assert "twee stappen" not in client.get("/profiel").get_data(as_text=True)
    assert client.get("/inloggen/tweede-stap-instellen").status_code == 404
