"""`wijkbudget users ...`: the first admin from the command line, then listing, role changes, deactivation."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.cli.users import users_group
from app.extensions import db
from app.models import AuditEvent, Role, User
from tests.factories import make_user, make_wijk

STRONG = "paars konijn fietst langs"


def _create(app: Flask, *args: str, input: str = f"{STRONG}\n{STRONG}\n"):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(users_group, ["create", *args], input=input)


def test_create_admin_from_stdin_then_log_in_and_organise(app: Flask, client: FlaskClient) -> None:
    result = _create(app, "Beheer@Gemeente.nl", "--role", "admin", "--name", "Beheer")
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User).where(User.email == "beheer@gemeente.nl")).one()
    assert user.role == Role.ADMIN.value and user.check_password(STRONG)
    assert STRONG not in result.output
    response = client.post("/inloggen", data={"email": "beheer@gemeente.nl", "password": STRONG})
    assert response.status_code == 302


def test_weak_or_mismatched_password_is_refused_with_the_reason(app: Flask, db_session: object) -> None:
    weak = _create(
        app, "a@gemeente.nl", "--role", "organiser", "--name", "A", input="password123\npassword123\n"
    )
    assert weak.exit_code == 1
    assert "common or leaked passwords" in weak.output
    short = _create(app, "a@gemeente.nl", "--role", "organiser", "--name", "A", input="kort\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    other = _create(app, "a@gemeente.nl", "--role", "organiser", "--name", "A", input=f"{STRONG}\nanders\n")
    assert other.exit_code == 1 and "not the same" in other.output
    assert db.session.scalar(select(User).where(User.email == "a@gemeente.nl")) is None


def test_wijk_and_duplicate_address(app: Flask, db_session: object) -> None:
    wijk = make_wijk()
    ok = _create(app, "o@gemeente.nl", "--role", "organiser", "--name", "O", "--wijk", str(wijk.id))
    assert ok.exit_code == 0, ok.output
    assert db.session.scalars(select(User).where(User.email == "o@gemeente.nl")).one().wijk_id == wijk.id
    again = _create(app, "O@gemeente.nl", "--role", "admin", "--name", "O")
    assert again.exit_code == 1 and "already exists" in again.output
    unknown = _create(app, "p@gemeente.nl", "--role", "organiser", "--name", "P", "--wijk", "999999")
    assert unknown.exit_code == 1 and "no wijk" in unknown.output


def test_list_set_role_and_deactivate(app: Flask, client: FlaskClient) -> None:
    user = make_user(Role.PROFESSIONAL, email="toets@gemeente.nl")
    runner = app.test_cli_runner()
    listed = runner.invoke(users_group, ["list", "--role", "professional"])
    assert "toets@gemeente.nl\tprofessional" in listed.output
    changed = runner.invoke(users_group, ["set-role", "toets@gemeente.nl", "organiser"])
    assert changed.exit_code == 0, changed.output
    db.session.refresh(user)
    assert user.role == Role.ORGANISER.value
    gone = runner.invoke(users_group, ["deactivate", "toets@gemeente.nl"])
    assert gone.exit_code == 0, gone.output
    assert "deactivated" in runner.invoke(users_group, ["list"]).output
    response = client.post(
        "/inloggen", data={"email": "toets@gemeente.nl", "password": "correct horse battery"}
    )
    assert response.status_code == 200  # refused, the same answer as a wrong password
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject == f"user:{user.id}")
    ).all()
    assert actions == ["account.role_changed", "account.deactivated"]
    missing = runner.invoke(users_group, ["deactivate", "niemand@gemeente.nl"])
    assert missing.exit_code == 1 and "no account" in missing.output


def test_deactivated_account_loses_its_open_session(app: Flask, client: FlaskClient) -> None:
    from tests.factories import login

    user = make_user(Role.PROFESSIONAL)
    login(client, user)
    assert client.get("/toets/").status_code == 200
    app.test_cli_runner().invoke(users_group, ["deactivate", user.email])
    assert client.get("/toets/").status_code == 302  # back to the login page


def test_reset_two_step_for_a_lost_phone(app: Flask, client: FlaskClient) -> None:
    organiser = make_user(Role.ORGANISER)
    result = app.test_cli_runner().invoke(users_group, ["reset-two-step", organiser.email])
    assert result.exit_code == 0, result.output
    response = client.post("/inloggen", data={"email": organiser.email, "password": "correct horse battery"})
    assert response.headers["Location"].endswith("/inloggen/tweede-stap-instellen")
