"""The admin's staff page: invite by e-mail (a set-password link that works once and expires), change a role,
deactivate. Only admins."""

from __future__ import annotations

import re
import time

import pytest
from flask.testing import FlaskClient
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Role, User
from tests.factories import PASSWORD, login, make_user

CHOSEN = "blauwe tram naar het strand"


def _invite(client: FlaskClient, email: str = "collega@gemeente.nl", role: str = "professional"):  # type: ignore[no-untyped-def]
    return client.post(
        "/beheer/medewerkers/",
        data={"name": "Nieuwe Collega", "email": email, "role": role, "language": "nl"},
    )


def _invitation_link(outbox: list) -> str:  # type: ignore[type-arg]
    match = re.search(r"http://wijkbudget\.test(/uitnodiging/\S+)", outbox[-1].body)
    assert match, outbox[-1].body
    return match.group(1)


def _logs_in(client: FlaskClient, email: str, password: str) -> bool:
    return client.post("/inloggen", data={"email": email, "password": password}).status_code == 302


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.PROFESSIONAL, Role.ORGANISER, Role.POLL_WORKER])
def test_only_admins_reach_the_staff_page(client: FlaskClient, role: Role) -> None:
    target = make_user(Role.PROFESSIONAL)
    assert client.get("/beheer/medewerkers/").status_code == 302  # anonymous: to the login page
    login(client, make_user(role))
    assert client.get("/beheer/medewerkers/").status_code == 403
    assert _invite(client).status_code == 403
    assert (
        client.post(f"/beheer/medewerkers/{target.id}/rol", data={f"u{target.id}-role": "admin"}).status_code
        == 403
    )
    assert client.post(f"/beheer/medewerkers/{target.id}/uitzetten").status_code == 403
    db.session.refresh(target)
    assert target.role == Role.PROFESSIONAL.value and target.deactivated_at is None
    assert db.session.scalar(select(User).where(User.email == "collega@gemeente.nl")) is None


def test_invitation_link_sets_the_password_once(app, client: FlaskClient, outbox: list) -> None:  # type: ignore[no-untyped-def,type-arg]
    login(client, make_user(Role.ADMIN))
    response = _invite(client)
    assert response.status_code == 302
    page = client.get("/beheer/medewerkers/").get_data(as_text=True)
    assert "collega@gemeente.nl" in page and "Uitgenodigd" in page
    assert outbox[-1].to == ["collega@gemeente.nl"] and "toetser" in outbox[-1].body
    link = _invitation_link(outbox)
    colleague = app.test_client()
    assert not _logs_in(colleague, "collega@gemeente.nl", "")
    assert "Kies je wachtwoord" in colleague.get(link).get_data(as_text=True)
    assert colleague.post(link, data={"password": CHOSEN, "confirm": CHOSEN}).status_code == 302
    assert _logs_in(colleague, "collega@gemeente.nl", CHOSEN)
    assert colleague.get("/toets/").status_code == 200
    reused = app.test_client().post(
        link, data={"password": "een heel ander wachtwoord", "confirm": "een heel ander wachtwoord"}
    )
    assert reused.status_code == 400 and "al gebruikt" in reused.get_data(as_text=True)


def test_expired_invitation_changes_nothing(
    app,
    client: FlaskClient,
    outbox: list,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def,type-arg]
) -> None:
    login(client, make_user(Role.ADMIN))
    _invite(client)
    link = _invitation_link(outbox)
    later = int(time.time()) + app.config["INVITATION_MAX_AGE"] + 1
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    response = app.test_client().post(link, data={"password": CHOSEN, "confirm": CHOSEN})
    assert response.status_code == 400 and "uitnodiging is verlopen" in response.get_data(as_text=True)
    invited = db.session.scalars(select(User).where(User.email == "collega@gemeente.nl")).one()
    assert not invited.check_password(CHOSEN)


def test_inviting_an_existing_address_is_refused(client: FlaskClient, outbox: list) -> None:  # type: ignore[type-arg]
    existing = make_user()
    login(client, make_user(Role.ADMIN))
    response = _invite(client, email=existing.email)
    assert response.status_code == 200 and "bestaat al een account" in response.get_data(as_text=True)
    assert outbox == []


def test_change_role_and_deactivate(app, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    admin = make_user(Role.ADMIN)
    colleague = make_user(Role.PROFESSIONAL)
    their_browser = app.test_client()
    login(their_browser, colleague)
    login(client, admin)
    changed = client.post(
        f"/beheer/medewerkers/{colleague.id}/rol", data={f"u{colleague.id}-role": "organiser"}
    )
    assert changed.status_code == 302
    db.session.refresh(colleague)
    assert colleague.role == Role.ORGANISER.value
    assert client.post(f"/beheer/medewerkers/{colleague.id}/uitzetten").status_code == 302
    assert their_browser.get("/organiseren/").status_code == 302  # logged out
    assert not _logs_in(app.test_client(), colleague.email, PASSWORD)
    assert "Uitgezet" in client.get("/beheer/medewerkers/").get_data(as_text=True)
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject == f"user:{colleague.id}").order_by(AuditEvent.id)
    ).all()
    assert actions == ["account.role_changed", "account.deactivated"]


def test_an_admin_cannot_lock_themselves_out(client: FlaskClient) -> None:
    admin = make_user(Role.ADMIN)
    login(client, admin)
    client.post(f"/beheer/medewerkers/{admin.id}/rol", data={f"u{admin.id}-role": "resident"})
    client.post(f"/beheer/medewerkers/{admin.id}/uitzetten")
    db.session.refresh(admin)
    assert admin.role == Role.ADMIN.value and admin.deactivated_at is None
    assert "eigen beheerdersrol" in client.get("/beheer/medewerkers/").get_data(as_text=True)


def test_an_admin_resets_the_two_step_login_of_a_colleague_who_lost_their_phone(client: FlaskClient) -> None:
    organiser = make_user(Role.ORGANISER)
    login(client, make_user(Role.ADMIN))
    assert client.post(f"/beheer/medewerkers/{organiser.id}/tweede-stap-opnieuw").status_code == 302
    db.session.refresh(organiser)
    assert organiser.totp_secret is None
    client.post("/uitloggen")
    response = client.post("/inloggen", data={"email": organiser.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/inloggen/tweede-stap-instellen")


def test_an_admin_names_the_wijken_a_colleague_works_for(client: FlaskClient) -> None:
    from tests.factories import make_wijk

    noord, zuid = make_wijk(name="Noord"), make_wijk(name="Zuid")
    organiser = make_user(Role.ORGANISER, wijken=[noord])
    login(client, make_user(Role.ADMIN))
    page = client.get("/beheer/medewerkers/").get_data(as_text=True)
    assert f'name="w{organiser.id}-wijken"' in page  # checkboxes, no JavaScript needed

    saved = client.post(
        f"/beheer/medewerkers/{organiser.id}/wijken", data={f"w{organiser.id}-wijken": [zuid.id]}
    )
    assert saved.status_code == 302
    db.session.refresh(organiser)
    assert [w.name for w in organiser.staff_wijken] == ["Zuid"]
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.wijken_changed")).first()

    unknown = client.post(
        f"/beheer/medewerkers/{organiser.id}/wijken", data={f"w{organiser.id}-wijken": [999999]}
    )
    assert unknown.status_code == 302
    db.session.refresh(organiser)
    assert [w.name for w in organiser.staff_wijken] == ["Zuid"]  # refused, nothing changed

    login(client, organiser)
    refused = client.post(
        f"/beheer/medewerkers/{organiser.id}/wijken", data={f"w{organiser.id}-wijken": [noord.id]}
    )
    assert refused.status_code == 403
