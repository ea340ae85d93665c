"""Registration with postcode and date of birth, the profile page, and the e-mail confirmation link."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner

from app.extensions import db
from app.models import User
from app.services.accounts import email_confirmation
from tests.factories import login, make_user, make_wijk


def _register(client: FlaskClient, **extra: str) -> object:
    wijk = make_wijk()
    data = {
        "name": "Fatima",
        "email": "fatima@example.nl",
        "wijk_id": str(wijk.id),
        "password": "lang genoeg wachtwoord",
        "confirm": "lang genoeg wachtwoord",
        "language": "nl",
    }
    return client.post("/registreren", data=data | extra)


def _link_in(body: str) -> str:
    match = re.search(r"http://wijkbudget\.test(/e-mail-bevestigen/\S+)", body)
    assert match, body
    return match.group(1)


def test_registration_stores_the_details_and_the_link_confirms_the_address(
    client: FlaskClient, outbox: list
) -> None:
    response = _register(client, postcode="3512ab", birth_date="1990-04-01")
    assert response.status_code == 302
    user = db.session.query(User).filter_by(email="fatima@example.nl").one()
    assert (user.postcode, user.birth_date, user.email_confirmed_at) == ("3512AB", date(1990, 4, 1), None)
    [(to, subject, body)] = [(m.to[0], m.subject, m.body) for m in outbox]
    assert to == "fatima@example.nl" and subject == "Bevestig je e-mailadres voor wijkbudget"

    confirmed = client.get(_link_in(body))  # registering does not log in: confirm, then log in
    assert confirmed.status_code == 302 and confirmed.headers["Location"].endswith("/inloggen")
    db.session.refresh(user)
    assert user.email_confirmed_at is not None
    assert "Je kunt nu inloggen." in client.get("/inloggen").get_data(as_text=True)


def test_registration_refuses_a_bad_postcode_or_date_next_to_its_field(
    client: FlaskClient, outbox: list
) -> None:
    response = _register(client, postcode="12345", birth_date="1990-02-03")
    assert response.status_code == 200
    assert 'id="postcode-error"' in response.get_data(as_text=True)
    assert "Vul een postcode in, zoals 1234 AB." in response.get_data(as_text=True)
    response = _register(client, postcode="3512 AB", birth_date="31-02-1990")
    assert 'id="birth_date-error"' in response.get_data(as_text=True)
    assert "Vul een datum in, bijvoorbeeld 31-03-1980." in response.get_data(as_text=True)
    assert db.session.query(User).count() == 0 and outbox == []


def test_an_expired_or_tampered_link_is_refused(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    user = make_user(email_confirmed_at=None)
    long_ago = TimestampSigner("x").get_timestamp() - 10 * 24 * 3600
    with client.application.app_context(), monkeypatch.context() as patched:
        patched.setattr(TimestampSigner, "get_timestamp", lambda self: long_ago)
        expired = email_confirmation.confirmation_token(user)
    response = client.get(f"/e-mail-bevestigen/{expired}")
    assert response.status_code == 400
    assert "Deze bevestigingslink is verlopen." in response.get_data(as_text=True)
    response = client.get("/e-mail-bevestigen/niet-echt.een-token")
    assert response.status_code == 400
    assert "Deze bevestigingslink klopt niet." in response.get_data(as_text=True)
    assert db.session.get(User, user.id).email_confirmed_at is None


def test_the_profile_page_saves_postcode_and_birth_date(client: FlaskClient) -> None:
    user = make_user(postcode=None, birth_date=None)
    login(client, user)
    response = client.post("/profiel", data={"postcode": "3512 ab", "birth_date": "17-05-1980"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.postcode, user.birth_date) == ("3512AB", date(1980, 5, 17))
    assert 'value="3512 AB"' in client.get("/profiel").get_data(as_text=True)

    response = client.post("/profiel", data={"postcode": "35 12", "birth_date": ""})
    assert response.status_code == 200
    assert 'id="postcode-error"' in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.postcode == "3512AB"


def test_an_unconfirmed_resident_can_ask_for_the_e_mail_again(client: FlaskClient, outbox: list) -> None:
    login(client, make_user(email_confirmed_at=None))
    assert "Stuur de e-mail opnieuw" in client.get("/profiel").get_data(as_text=True)
    response = client.post("/profiel/bevestigingsmail")
    assert response.status_code == 302 and len(outbox) == 1
