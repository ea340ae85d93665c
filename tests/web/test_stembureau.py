"""Poll workers on their phones: enter a paper ballot, a colleague confirms it, the resident gets a receipt."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Ballot, PaperEntry, Phase, Project, Role, Round, User
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

ROUTES = [
    ("GET", "/stembureau/"),
    ("GET", "/stembureau/locatie/{location}/stembiljet"),
    ("POST", "/stembureau/locatie/{location}/stembiljet"),
    ("GET", "/stembureau/locatie/{location}/controleren"),
    ("POST", "/stembureau/locatie/{location}/invoer/{entry}/bevestigen"),
    ("POST", "/stembureau/locatie/{location}/invoer/{entry}/afwijzen"),
]


@pytest.fixture(autouse=True)
def _app_context(app: Flask) -> Iterator[None]:
    """Letter codes are hashed with the app's secret, so building them needs the app."""
    with app.app_context():
        yield


class Booth:
    def __init__(self) -> None:
        self.rnd: Round = make_round(phase=Phase.VOTING, eligibility="letter_codes")
        self.projects: list[Project] = [make_project(self.rnd, title=t) for t in ("Speeltuin", "Moestuin")]
        self.location_id = make_location(self.rnd, name="Buurthuis De Schakel").id
        voter = make_register_entry(self.rnd, postcode="3512AB", house_number=7, birth_date=date(1980, 5, 1))
        self.voter_id = voter.id
        self.code = make_voting_code(voter)

    def url(self, tail: str) -> str:
        return f"/stembureau/locatie/{self.location_id}/{tail}"

    def enter(self, client: FlaskClient, **fields: Any) -> Any:
        data: dict[str, Any] = {
            "method": "code",
            "postcode": "3512 ab",
            "code": self.code.lower(),
            "project_ids": [str(self.projects[0].id)],
        }
        data.update(fields)
        return client.post(self.url("stembiljet"), data=data)


def _as(client: FlaskClient, role: Role = Role.POLL_WORKER) -> User:
    client.post("/uitloggen")
    user = make_user(role)
    login(client, user)
    return user


def _text(response: Any) -> str:
    return str(response.get_data(as_text=True)).replace("\u00a0", " ")


def _entries() -> list[PaperEntry]:
    return list(db.session.scalars(select(PaperEntry)))


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_residents_may_not_and_anonymous_visitors_log_in_first(
    client: FlaskClient, method: str, path: str
) -> None:
    booth = Booth()
    url = path.format(location=booth.location_id, entry=1)
    send = client.get if method == "GET" else client.post
    assert send(url).status_code == 302
    _as(client, Role.RESIDENT)
    assert send(url).status_code == 403


def test_a_paper_ballot_is_entered_confirmed_by_a_colleague_and_gets_a_receipt(client: FlaskClient) -> None:
    booth = Booth()
    _as(client)
    index = client.get("/stembureau/")
    assert "Buurthuis De Schakel" in _text(index)
    form = client.get(booth.url("stembiljet"))
    assert form.status_code == 200 and "Speeltuin" in _text(form) and 'type="date"' in _text(form)

    saved = booth.enter(client)
    assert saved.status_code == 302
    page = client.get(booth.url("controleren"))
    assert "een collega moet het controleren" in _text(page) and "bevestigen" not in _text(page)
    [entry] = _entries()

    _as(client)
    pending = client.get(booth.url("controleren"))
    assert "Speeltuin" in _text(pending) and "3512 AB" not in _text(pending)  # the choices, not the address
    confirmed = client.post(booth.url(f"invoer/{entry.id}/bevestigen"))

    [ballot] = sealed_session().scalars(select(Ballot)).all()
    assert confirmed.status_code == 200 and ballot.receipt_code in _text(confirmed)
    assert ballot.channel == "paper" and ballot.project_ids == [booth.projects[0].id]
    assert "Hier wachten geen stembiljetten op controle." in _text(client.get(booth.url("controleren")))


def test_the_poll_worker_who_entered_it_cannot_confirm_it(client: FlaskClient) -> None:
    booth = Booth()
    _as(client)
    booth.enter(client)
    [entry] = _entries()
    refused = client.post(booth.url(f"invoer/{entry.id}/bevestigen"), follow_redirects=True)
    assert "Een ander stembureaulid moet dit stembiljet controleren" in _text(refused)
    assert sealed_session().scalars(select(Ballot)).all() == []


def test_assisted_needs_consent_and_is_recorded(client: FlaskClient) -> None:
    booth = Booth()
    _as(client)
    refused = booth.enter(client, assisted="y")
    assert refused.status_code == 400 and "toestemming van de bewoner nodig" in _text(refused)
    assert _entries() == []
    assert booth.enter(client, assisted="y", consent="y").status_code == 302
    [entry] = _entries()
    _as(client)
    assert "ja, met toestemming" in _text(client.get(booth.url("controleren")))
    client.post(booth.url(f"invoer/{entry.id}/bevestigen"))
    assert sealed_session().scalars(select(Ballot.channel)).all() == ["assisted"]


def test_input_problems_are_shown_next_to_the_fields(client: FlaskClient) -> None:
    booth = Booth()
    _as(client)
    wrong = booth.enter(client, postcode="3513 CD")
    assert wrong.status_code == 400 and "Deze stemcode en postcode horen niet bij elkaar" in _text(wrong)
    typo = booth.enter(client, code="ABCD-EFGH")
    assert typo.status_code == 400 and "Dit is geen geldige stemcode" in _text(typo)
    no_birth_date = booth.enter(client, method="address", house_number="7")
    assert no_birth_date.status_code == 400 and "Vul de geboortedatum in." in _text(no_birth_date)
    over = booth.enter(client, project_ids=[])
    assert (
        over.status_code == 400
        and "Er moet minstens één project gekozen zijn; op dit stembiljet staat er geen." in _text(over)
    )
    assert _entries() == []


def test_a_resident_found_by_address_can_vote_on_paper(client: FlaskClient) -> None:
    booth = Booth()
    _as(client)
    saved = booth.enter(client, method="address", code="", house_number="7", birth_date="1980-05-01")
    assert saved.status_code == 302
    [entry] = _entries()
    assert entry.register_entry_id == booth.voter_id and entry.code_hash is None
    again = booth.enter(client)
    assert again.status_code == 409 and "wacht al een stembiljet van deze bewoner" in _text(again)


def test_a_rejection_needs_a_reason_and_counts_nothing(client: FlaskClient) -> None:
    booth = Booth()
    _as(client)
    booth.enter(client)
    [entry] = _entries()
    _as(client)
    no_reason = client.post(booth.url(f"invoer/{entry.id}/afwijzen"), data={"reason": " "})
    assert no_reason.status_code == 400 and "Schrijf op waarom je dit stembiljet afkeurt." in _text(no_reason)
    rejected = client.post(booth.url(f"invoer/{entry.id}/afwijzen"), data={"reason": "Twee vakjes te veel"})
    assert rejected.status_code == 302
    db.session.refresh(entry)
    assert entry.status == "rejected" and entry.register_entry_id is None
    assert sealed_session().scalars(select(Ballot)).all() == []


def test_organisers_may_work_as_poll_workers(client: FlaskClient) -> None:
    booth = Booth()
    _as(client, Role.ORGANISER)
    assert booth.enter(client).status_code == 302
    assert "Stembureau" in _text(client.get("/stembureau/"))
