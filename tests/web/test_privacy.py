"""AVG/GDPR: a resident downloads what the platform holds on them and removes the account; ballots stay
(they carry no link), proposals and reactions stay without the resident's personal data."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import Ballot, Notification, Phase, Project, ResultSubscription, Role, User
from app.services.notifications.result_subscriptions import subscribe
from app.services.paper.polling import users_by_email
from app.services.voting.ballots import cast_ballot
from tests.ballot_box import sealed_session
from tests.factories import PASSWORD, login, make_project, make_round, make_user, make_wijk


@pytest.fixture(autouse=True)
def _app_context(app: Flask) -> Iterator[None]:
    with app.app_context():  # the services are called directly to build the history
        yield


def _resident_with_history() -> tuple[User, Project, int]:
    wijk = make_wijk()
    resident = make_user(wijk=wijk, email="sanne@example.nl", name="Sanne de Vries")
    voting = make_round(wijk, Phase.VOTING)
    on_ballot = make_project(voting)
    cast_ballot(resident, voting.id, [on_ballot.id])
    proposal = make_project(
        make_round(wijk, Phase.PROPOSALS), title="Bankjes bij de vijver", author_id=resident.id
    )
    subscribe(resident, voting.id)
    db.session.add(Notification(user_id=resident.id, kind="proposal_reviewed", project_id=proposal.id))
    db.session.commit()
    return resident, proposal, voting.id


def test_a_resident_downloads_their_data_as_json(client: FlaskClient) -> None:
    resident, proposal, round_id = _resident_with_history()
    login(client, resident)
    assert 'href="/profiel/mijn-gegevens.json"' in client.get("/profiel").get_data(as_text=True)
    response = client.get("/profiel/mijn-gegevens.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "sanne@example.nl" and data["account"]["name"] == "Sanne de Vries"
    assert data["account"]["postcode"] == resident.postcode
    assert [p["title"] for p in data["proposals"]] == ["Bankjes bij de vijver"]
    assert [s["round_id"] for s in data["result_subscriptions"]] == [round_id]
    assert [n["kind"] for n in data["notifications"]] == ["proposal_reviewed"]
    assert "no link" in data["ballots"]


def test_removing_the_account_keeps_ballots_and_proposals_without_personal_data(client: FlaskClient) -> None:
    resident, proposal, round_id = _resident_with_history()
    ballots_before = sealed_session().scalar(
        select(func.count()).select_from(Ballot).where(Ballot.round_id == round_id)
    )
    login(client, resident)
    wrong = client.post("/profiel/verwijderen", data={"password": "niet mijn wachtwoord", "confirm": "y"})
    assert wrong.status_code == 200 and "niet juist" in wrong.get_data(as_text=True)
    unconfirmed = client.post("/profiel/verwijderen", data={"password": PASSWORD})
    assert unconfirmed.status_code == 200
    done = client.post("/profiel/verwijderen", data={"password": PASSWORD, "confirm": "y"})
    assert done.status_code == 302
    assert client.get("/profiel").status_code == 302  # logged out
    assert (
        client.post("/inloggen", data={"email": "sanne@example.nl", "password": PASSWORD}).status_code == 200
    )

    db.session.expire_all()
    removed = db.session.get(User, resident.id)
    assert removed is not None and removed.removed_at is not None and removed.deactivated_at is not None
    assert "sanne" not in removed.email and removed.name == ""
    assert (removed.postcode, removed.house_number, removed.birth_date, removed.totp_secret) == (
        None,
        None,
        None,
        None,
    )
    assert db.session.get(Project, proposal.id).author_id == resident.id  # the proposal stays
    ballots_after = sealed_session().scalar(
        select(func.count()).select_from(Ballot).where(Ballot.round_id == round_id)
    )
    assert ballots_after == ballots_before == 1
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(ResultSubscription)
            .where(ResultSubscription.user_id == resident.id)
        )
        == 0
    )
    assert (
        db.session.scalar(
            select(func.count()).select_from(Notification).where(Notification.user_id == resident.id)
        )
        == 0
    )
    # The address is free again for a new account, and the removed one is not offered as a poll worker.
    assert db.session.scalar(select(User).where(User.email == "sanne@example.nl")) is None
    assert resident.id not in {u.id for u in users_by_email("removed")}


def test_staff_accounts_are_not_removed_by_themselves(client: FlaskClient) -> None:
    professional = make_user(Role.PROFESSIONAL)
    login(client, professional)
    assert "/profiel/verwijderen" not in client.get("/profiel").get_data(as_text=True)
    response = client.post("/profiel/verwijderen", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 403
    db.session.refresh(professional)
    assert professional.removed_at is None
