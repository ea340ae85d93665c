"""The four-eyes check of paper ballots cannot be done by one person with two accounts.

The attack of issue 10: an organiser registers a second account, makes it a poll worker and confirms their own
paper ballot. Only an admin makes poll workers now, and a poll worker cannot confirm a ballot entered by the
one who made them a poll worker (nor the other way round).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import Ballot, PaperEntry, Phase, PollingLocation, Project, Role, User, Wijk
from app.services.paper import polling
from tests.ballot_box import sealed_session
from tests.factories import (
    login,
    make_location,
    make_project,
    make_register_entry,
    make_round,
    make_user,
    make_voting_code,
)


@pytest.fixture(autouse=True)
def _app_context(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


def _booth() -> tuple[int, str, int, int]:
    """A voting letter-code round: (location id, the voter's code, a project id, the wijk id)."""
    rnd = make_round(phase=Phase.VOTING, eligibility="letter_codes")
    project = make_project(rnd)
    location = make_location(rnd)
    voter = make_register_entry(rnd, postcode="3512AB", house_number=7)
    return location.id, make_voting_code(voter), project.id, rnd.wijk_id


def _enter(client: FlaskClient, location_id: int, code: str, project_id: int) -> None:
    data = {"method": "code", "postcode": "3512 AB", "code": code, "project_ids": [str(project_id)]}
    assert client.post(f"/stembureau/locatie/{location_id}/stembiljet", data=data).status_code == 302


def _confirm(client: FlaskClient, location_id: int) -> str:
    entry_id = db.session.scalars(select(PaperEntry.id)).one()
    url = f"/stembureau/locatie/{location_id}/invoer/{entry_id}/bevestigen"
    return client.post(url, follow_redirects=True).get_data(as_text=True)


def _switch(client: FlaskClient, user: User) -> None:
    client.post("/uitloggen")
    login(client, user)


def test_an_organiser_cannot_make_their_second_account_a_poll_worker(client: FlaskClient) -> None:
    location_id, code, project_id, wijk_id = _booth()
    organiser = make_user(Role.ORGANISER)
    second_account = make_user(Role.RESIDENT, email="mijn.tweede@example.nl")
    login(client, organiser)
    granted = client.post(
        f"/organiseren/stembureauleden/{second_account.id}", data={"grant": "1", "wijk_id": wijk_id}
    )
    assert granted.status_code == 403
    _enter(client, location_id, code, project_id)
    _switch(client, second_account)
    entry_id = db.session.scalars(select(PaperEntry.id)).one()
    url = f"/stembureau/locatie/{location_id}/invoer/{entry_id}/bevestigen"
    assert client.post(url).status_code == 403
    assert sealed_session().scalar(select(func.count()).select_from(Ballot)) == 0


def test_a_poll_worker_cannot_confirm_the_ballot_of_whoever_made_them_poll_worker(
    client: FlaskClient,
) -> None:
    location_id, code, project_id, wijk_id = _booth()
    admin, second_account = make_user(Role.ADMIN), make_user(Role.RESIDENT, email="mijn.tweede@example.nl")
    polling.set_poll_worker(admin, second_account.id, grant=True, wijk_ids=[wijk_id])
    polling.assign_poll_worker(admin, location_id, second_account.id)
    login(client, admin)
    _enter(client, location_id, code, project_id)
    _switch(client, second_account)
    page = _confirm(client, location_id)
    assert "een van jullie heeft de ander stembureaulid gemaakt" in page
    assert db.session.scalars(select(PaperEntry.status)).one() == "pending"
    assert sealed_session().scalar(select(func.count()).select_from(Ballot)) == 0

    # A poll worker whom someone else made poll worker may confirm it.
    colleague = make_user(Role.RESIDENT)
    polling.set_poll_worker(make_user(Role.ADMIN), colleague.id, grant=True, wijk_ids=[wijk_id])
    polling.assign_poll_worker(admin, location_id, colleague.id)
    _switch(client, colleague)
    pending = client.get(f"/stembureau/locatie/{location_id}/controleren").get_data(as_text=True)
    project = db.session.get_one(Project, project_id)
    assert project.title in pending and "3512 AB" not in pending  # the choices, not the voter's address
    _confirm(client, location_id)
    assert sealed_session().scalar(select(func.count()).select_from(Ballot)) == 1


def test_a_poll_worker_sees_and_works_at_only_their_own_locations(client: FlaskClient) -> None:
    location_id, code, project_id, wijk_id = _booth()
    location = db.session.get_one(PollingLocation, location_id)
    worker = make_user(Role.POLL_WORKER, wijken=[db.session.get_one(Wijk, wijk_id)])
    login(client, worker)
    assert location.name not in client.get("/stembureau/").get_data(as_text=True)
    assert client.get(f"/stembureau/locatie/{location_id}/stembiljet").status_code == 404
    polling.assign_poll_worker(make_user(Role.ADMIN), location_id, worker.id)
    assert location.name in client.get("/stembureau/").get_data(as_text=True)
    assert client.get(f"/stembureau/locatie/{location_id}/stembiljet").status_code == 200
