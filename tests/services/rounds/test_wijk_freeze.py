"""A wijk's postcode areas and buurten freeze while any of its rounds is in voting or later.

The probe changed the postcode areas of a voting round (a resident's ballot page went from 200 to 403) and
deleted a buurt, which silently cleared the buurt of the register entries of rounds that were voting.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import AuditEvent, Buurt, FrozenWijkError, Phase, RegisterEntry, Role, User, Wijk
from app.services.rounds.wijken import InvalidFields, update_wijk
from tests.factories import login, make_adult_register_entry, make_project, make_round, make_user, make_wijk


@pytest.fixture
def ctx(app: Flask, db_session: object) -> Iterator[None]:
    with app.test_request_context():
        yield


def _voting_wijk() -> tuple[Wijk, User]:
    wijk = make_wijk(name="West", buurten=("Noord", "Zuid"), postcodes=("3512", "3513"))
    make_round(wijk, phase=Phase.VOTING)
    return wijk, make_user(Role.ORGANISER)


def _update(organiser: User, wijk: Wijk, **changes: object) -> Wijk:
    values: dict[str, object] = {
        "name": "West",
        "municipality": "Utrecht",
        "buurten": ["Noord", "Zuid"],
        "postcodes": ["3512", "3513"],
    } | changes
    return update_wijk(organiser, wijk.id, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"postcodes": ["3512"]}, "postcodes"),
        ({"postcodes": ["3512", "3513", "3514"]}, "postcodes"),
        ({"buurten": ["Noord"]}, "buurten"),
        ({"buurten": ["Noord", "Zuid", "Midden"]}, "buurten"),
    ],
)
@pytest.mark.parametrize("phase", [Phase.VOTING, Phase.CLOSED, Phase.PUBLISHED])
def test_areas_cannot_change_while_a_round_votes_or_later(
    ctx: None, changes: dict[str, object], field: str, phase: Phase
) -> None:
    wijk = make_wijk(name="West", buurten=("Noord", "Zuid"), postcodes=("3512", "3513"))
    rnd = make_round(wijk, phase=phase)
    with pytest.raises(InvalidFields) as refused:
        _update(make_user(Role.ORGANISER), wijk, **changes)
    assert rnd.title in str(refused.value.errors[field])
    db.session.expire_all()
    fresh = db.session.get(Wijk, wijk.id)
    assert sorted(fresh.postcodes) == ["3512", "3513"]
    assert sorted(b.name for b in fresh.buurten) == ["Noord", "Zuid"]


def test_name_and_municipality_may_still_change_and_every_round_logs_it(ctx: None) -> None:
    wijk, organiser = _voting_wijk()
    other = make_round(wijk, phase=Phase.DRAFT)
    _update(organiser, wijk, name="West-Oost", municipality="Gemeente Utrecht")
    db.session.expire_all()
    assert db.session.get(Wijk, wijk.id).name == "West-Oost"
    logged = db.session.query(AuditEvent).filter_by(action="wijk.updated").all()
    assert sorted(e.round_id for e in logged if e.round_id) == sorted(r.id for r in wijk.rounds)
    assert other.id in {e.round_id for e in logged}
    assert all(e.details["name"] == ["West", "West-Oost"] for e in logged)


def test_before_voting_areas_change_and_each_round_logs_it(ctx: None) -> None:
    wijk = make_wijk(name="West", buurten=("Noord", "Zuid"), postcodes=("3512", "3513"))
    rnd = make_round(wijk, phase=Phase.PROPOSALS)
    _update(make_user(Role.ORGANISER), wijk, postcodes=["3512", "3514"], buurten=["Noord", "Zuid", "Midden"])
    event = db.session.query(AuditEvent).filter_by(action="wijk.updated", round_id=rnd.id).one()
    assert event.details["postcodes"] == {"added": ["3514"], "removed": ["3513"]}
    assert event.details["buurten"] == {"added": ["Midden"], "removed": []}


def test_the_model_refuses_whatever_code_path_tries(ctx: None) -> None:
    wijk, _organiser = _voting_wijk()
    attempts = [
        lambda: setattr(wijk, "postcodes", ["3512"]),
        lambda: wijk.buurten.append(Buurt(name="Midden")),
        lambda: db.session.delete(wijk.buurten[0]),
        lambda: setattr(wijk.buurten[0], "name", "Noordwest"),
        lambda: db.session.add(Buurt(wijk_id=wijk.id, name="Oost")),
    ]
    for attempt in attempts:
        attempt()
        with pytest.raises(FrozenWijkError):
            db.session.flush()
        db.session.rollback()
    wijk.name = "West-Oost"  # the name is not what ballots were checked against
    db.session.commit()


def test_register_entries_keep_their_buurt(ctx: None) -> None:
    wijk, organiser = _voting_wijk()
    rnd = wijk.rounds[0]
    noord = next(b for b in wijk.buurten if b.name == "Noord")
    entry = make_adult_register_entry(rnd, postcode="3512AB", buurt_id=noord.id)
    with pytest.raises(InvalidFields):
        _update(organiser, wijk, buurten=["Zuid"])
    db.session.expire_all()
    assert db.session.get(RegisterEntry, entry.id).buurt_id == noord.id


def test_organiser_page_explains_and_the_ballot_page_stays_open(client: FlaskClient) -> None:
    wijk = make_wijk(name="West", buurten=("Noord", "Zuid"), postcodes=("3512", "3513"))
    rnd = make_round(wijk, phase=Phase.VOTING)
    make_project(rnd)
    resident = make_user(wijk=wijk)
    organiser = make_user(Role.ORGANISER)
    login(client, organiser)
    client.post("/taal", data={"lang": "en", "next": "/"})
    url = f"/organiseren/wijk/{wijk.id}/bewerken"
    assert "can no longer change" in client.get(url).get_data(as_text=True)
    data = {"name": "West", "municipality": "Utrecht", "buurten": "Noord\nZuid", "postcodes": "3513"}
    response = client.post(url, data=data)
    assert response.status_code == 200  # the form again, with the reason next to the field
    assert "can no longer change" in response.get_data(as_text=True)
    db.session.expire_all()
    assert sorted(db.session.get(Wijk, wijk.id).postcodes) == ["3512", "3513"]
    client.post("/uitloggen")
    login(client, resident)
    assert client.get(f"/ronde/{rnd.id}/stemmen").status_code == 200
