from __future__ import annotations

from flask.testing import FlaskClient

from app.extensions import db
from app.models import Role, User
from tests.factories import PASSWORD, login, make_user, make_wijk


def test_register_creates_resident_and_asks_to_confirm(client: FlaskClient) -> None:
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
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/registreren/kijk-in-je-mailbox"
    )
    user = db.session.query(User).filter_by(email="fatima@example.nl").one()
    assert user.role == Role.RESIDENT.value
    assert user.wijk_id == wijk.id
    assert "Kijk in je mailbox" in client.get(response.headers["Location"]).get_data(as_text=True)


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


def _registration(email: str, wijk_id: int) -> dict[str, object]:
    return {
        "name": "Nog een",
        "email": email,
        "wijk_id": wijk_id,
        "password": PASSWORD,
        "confirm": PASSWORD,
        "language": "nl",
    }


def test_registration_never_tells_whether_an_address_has_an_account(
    client: FlaskClient, outbox: list
) -> None:  # type: ignore[type-arg]
    wijk = make_wijk()
    make_user(email="bestaand@example.nl")
    taken = client.post("/registreren", data=_registration("BESTAAND@example.nl", wijk.id))
    new = client.post("/registreren", data=_registration("nieuw@example.nl", wijk.id))
    assert (taken.status_code, taken.headers["Location"]) == (new.status_code, new.headers["Location"])
    assert db.session.query(User).filter_by(email="bestaand@example.nl").count() == 1
    # One e-mail each: the owner of the taken address hears that someone tried, with a way to log in.
    assert [m.to for m in outbox] == [["bestaand@example.nl"], ["nieuw@example.nl"]]
    assert "/wachtwoord-vergeten" in outbox[0].body and "al een" in outbox[0].body


def test_login_does_the_same_work_for_an_unknown_address(client: FlaskClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import app.services.accounts.users as users

    checks: list[str] = []
    real = users.check_password_hash
    monkeypatch.setattr(users, "check_password_hash", lambda h, p: checks.append(p) or real(h, p))
    known = make_user()
    monkeypatch.setattr(
        User, "check_password", lambda self, p: users.check_password_hash(self.password_hash, p)
    )
    for email in (known.email, "niemand@example.nl"):
        response = client.post("/inloggen", data={"email": email, "password": "fout wachtwoord"})
        assert "niet juist" in response.get_data(as_text=True)
    assert checks == ["fout wachtwoord", "fout wachtwoord"]  # one password hash check each


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
