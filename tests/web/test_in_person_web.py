"""Residents who do not come online: polling locations with address, hours and accessibility on the round page
and the letters, the helpdesk phone from settings, and links to the letter-code entry."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from app.models import Phase, Role
from app.services.codes import letters
from app.services.paper import polling
from tests.factories import login, make_round, make_user


def test_locations_helpdesk_and_code_links(app: Flask, client: FlaskClient, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "HELPDESK_PHONE", "14 030")
    rnd = make_round(phase=Phase.VOTING, eligibility="letter_codes")
    login(client, make_user(Role.ORGANISER))
    client.post(
        f"/organiseren/ronde/{rnd.id}/stembureaus",
        data={
            "name": "Buurthuis De Schakel",
            "kind": "community_centre",
            "address": "Kanaalweg 12, Utrecht",
            "opening_hours": "woensdag 14.00 tot 20.00 uur",
            "accessibility": "ingang zonder drempel",
        },
    )
    [location] = polling.locations_of(rnd.id)
    assert location.address == "Kanaalweg 12, Utrecht"
    page = client.get(f"/ronde/{rnd.id}").get_data(as_text=True)
    assert "Kanaalweg 12, Utrecht" in page and "woensdag 14.00 tot 20.00 uur" in page
    assert "ingang zonder drempel" in page and "Bel de helpdesk: 14 030" in page
    assert 'href="/stemmen/code"' in page
    assert 'href="/stemmen/code"' in client.get("/").get_data(as_text=True)
    with app.test_request_context():
        from flask_babel import force_locale

        with force_locale("nl"):
            _heading, paragraphs = letters._instructions(rnd)
    assert any("Buurthuis De Schakel, Kanaalweg 12, Utrecht" in p for p in paragraphs)
    assert any("14 030" in p for p in paragraphs)


def test_too_long_details_are_refused(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.REVIEW)
    login(client, make_user(Role.ORGANISER))
    response = client.post(
        f"/organiseren/ronde/{rnd.id}/stembureaus",
        data={"name": "Bieb", "kind": "community_centre", "address": "x" * 300},
    )
    assert "maximaal 200 tekens" in response.get_data(as_text=True).replace("Gebruik maximaal", "maximaal")
    assert polling.locations_of(rnd.id) == []
