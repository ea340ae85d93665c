"""The "e-mail me when the result is published" opt-in on the round page and the receipt."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Phase, ResultSubscription, Round, User
from tests.factories import login, make_project, make_round, make_user


def _subscriptions() -> list[tuple[int, int]]:
    return [(s.user_id, s.round_id) for s in db.session.query(ResultSubscription).all()]


def _page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _resident_in(client: FlaskClient, rnd: Round) -> User:
    user = make_user(wijk=rnd.wijk)
    login(client, user)
    return user


def test_resident_subscribes_from_the_round_page_and_stops_again(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.VOTING)
    user = _resident_in(client, rnd)
    assert "Mail me als de uitslag bekend is" in _page(client, f"/ronde/{rnd.id}")

    response = client.post(f"/ronde/{rnd.id}/uitslag-mailen", data={"back": "round"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/ronde/{rnd.id}")
    assert _subscriptions() == [(user.id, rnd.id)]
    page = _page(client, f"/ronde/{rnd.id}")
    assert f"We sturen één mail naar {user.email}" in page
    assert "Stop deze mail" in page

    response = client.post(f"/ronde/{rnd.id}/uitslag-mailen/stoppen", data={"back": "round"})
    assert response.status_code == 302
    assert _subscriptions() == []
    assert "Mail me als de uitslag bekend is" in _page(client, f"/ronde/{rnd.id}")


def test_receipt_page_offers_it_and_returns_there(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.VOTING)
    project = make_project(rnd, cost_cents=1_000_000)
    user = _resident_in(client, rnd)
    assert client.post(f"/ronde/{rnd.id}/stemmen", data={"project_ids": [str(project.id)]}).status_code == 302
    assert "Mail me als de uitslag bekend is" in _page(client, f"/ronde/{rnd.id}/stembewijs")
    response = client.post(f"/ronde/{rnd.id}/uitslag-mailen", data={"back": "receipt"})
    assert response.headers["Location"].endswith(f"/ronde/{rnd.id}/stembewijs")
    assert _subscriptions() == [(user.id, rnd.id)]


def test_visitors_must_log_in_and_see_no_box(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.VOTING)
    assert "Mail over de uitslag" not in _page(client, f"/ronde/{rnd.id}")
    response = client.post(f"/ronde/{rnd.id}/uitslag-mailen", data={"back": "round"})
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    assert _subscriptions() == []


def test_published_round_offers_nothing_and_refuses_with_a_message(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.PUBLISHED)
    _resident_in(client, rnd)
    assert "Mail over de uitslag" not in _page(client, f"/ronde/{rnd.id}")
    response = client.post(f"/ronde/{rnd.id}/uitslag-mailen", data={"back": "round"})
    assert response.status_code == 409
    assert "De uitslag is al bekend" in response.get_data(as_text=True)
    assert _subscriptions() == []


@pytest.mark.parametrize("back", ["", "https://evil.example"])
def test_unknown_return_page_is_a_bad_request(client: FlaskClient, back: str) -> None:
    rnd = make_round(phase=Phase.VOTING)
    _resident_in(client, rnd)
    assert client.post(f"/ronde/{rnd.id}/uitslag-mailen", data={"back": back}).status_code == 400
    assert _subscriptions() == []


def test_form_carries_a_csrf_token_and_posts_without_it_are_refused(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    rnd = make_round(phase=Phase.VOTING)
    _resident_in_with_csrf(client, rnd)
    assert 'name="csrf_token"' in _page(client, f"/ronde/{rnd.id}")
    assert client.post(f"/ronde/{rnd.id}/uitslag-mailen", data={"back": "round"}).status_code == 400
    assert _subscriptions() == []


def _resident_in_with_csrf(client: FlaskClient, rnd: Round) -> Any:
    user = make_user(wijk=rnd.wijk)
    with client.session_transaction() as session:  # log in directly: the login form needs a token too
        session["_user_id"] = user.get_id()  # "id:session version"
        session["_fresh"] = True
    return user
