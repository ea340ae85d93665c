from __future__ import annotations

from flask.testing import FlaskClient

from app.extensions import db
from app.models import Role, User
from tests.factories import PASSWORD, login, make_user, make_wijk


def test_register_creates_resident_and_logs_in(client: FlaskClient) -> None:
    wijk = make_wijk()
    response = client.post(
        "/registreren",
        data={
            "name": "Fatima",
            "email": "Fatima@Example.nl",
            "wijk_id": wijk.id,
            "password": "lang genoeg wachtwoord",
            "confirm": "lang genoeg wachtwoord",
            "language": "nl",
        },
    )
    assert response.status_code == 302
    user = db.session.query(User).filter_by(email="fatima@example.nl").one()
    assert user.role == Role.RESIDENT.value
    assert user.wijk_id == wijk.id


def test_register_with_bad_input_explains_and_stores_nothing(client: FlaskClient) -> None:
    make_wijk()
    response = client.post(
        "/registreren",
        data={"name": "", "email": "geen-adres", "password": "kort", "confirm": "anders", "language": "nl"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Vul je naam in." in body
    assert db.session.query(User).count() == 0


def test_duplicate_email_is_refused(client: FlaskClient) -> None:
    wijk = make_wijk()
    make_user(email="bestaand@example.nl")
    response = client.post(
        "/registreren",
        data={
            "name": "Nog een",
            "email": "BESTAAND@example.nl",
            "wijk_id": wijk.id,
            "password": PASSWORD,
            "confirm": PASSWORD,
            "language": "nl",
        },
    )
    assert response.status_code == 200
    assert db.session.query(User).filter_by(email="bestaand@example.nl").count() == 1


def test_login_wrong_password_and_logout(client: FlaskClient) -> None:
    user = make_user()
    response = client.post("/inloggen", data={"email": user.email, "password": "fout wachtwoord"})
    assert response.status_code == 200
    assert "niet juist" in response.get_data(as_text=True)
    login(client, user)
    assert client.post("/uitloggen").status_code == 302


def test_language_switch_renders_english(client: FlaskClient) -> None:
    assert "Inloggen" in client.get("/inloggen").get_data(as_text=True)
    client.post("/taal", data={"lang": "en", "next": "/inloggen"})
    assert "Log in" in client.get("/inloggen").get_data(as_text=True)


def test_resident_gets_403_on_organiser_and_review_pages(client: FlaskClient) -> None:
    login(client, make_user(Role.RESIDENT))
    assert client.get("/organiseren/").status_code == 403
    assert client.get("/toets/").status_code == 403
