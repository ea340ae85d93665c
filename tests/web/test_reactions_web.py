"""Reactions on the project page: plain text with links, replies, the proposer marked, edits, reports, and
organisers hiding a reaction with a public reason."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.config import TestConfig
from app.extensions import db, limiter
from app.models import Phase, ProjectStatus, Reaction, Role
from app.services.proposals import reactions
from tests.conftest import database_url_for_tests
from tests.factories import login, make_project, make_round, make_user
from tests.results_data import service_context


def _react(app: Flask, project, body: str) -> Reaction:  # type: ignore[no-untyped-def]
    with service_context(app):
        return reactions.post_reaction(make_user(), project.id, body)


def _proposal(phase: Phase = Phase.PROPOSALS):  # type: ignore[no-untyped-def]
    rnd = make_round(phase=phase)
    author = make_user(wijk=rnd.wijk, name="Ans Indiener")
    return make_project(rnd, status=ProjectStatus.SUBMITTED, author_id=author.id), author


def test_reacting_and_replying_on_the_page(client: FlaskClient) -> None:
    project, author = _proposal()
    login(client, make_user(name="Bram Buur"))
    response = client.post(
        f"/project/{project.id}/reacties", data={"body": "Goed plan, zie https://example.nl/a."}
    )
    assert response.status_code == 302
    [top] = db.session.query(Reaction).all()
    client.post("/uitloggen")
    login(client, author)
    client.post(f"/project/{project.id}/reacties", data={"body": "Dank je!", "parent_id": str(top.id)})
    page = client.get(f"/project/{project.id}").get_data(as_text=True)
    assert '<a href="https://example.nl/a" rel="nofollow ugc noopener">https://example.nl/a</a>.' in page
    assert "Indiener van het voorstel" in page  # the proposer's reply is marked
    assert "Antwoorden" in page and "Bram Buur" in page


def test_html_and_a_50000_character_reaction_are_refused_in_dutch(client: FlaskClient) -> None:
    project, _author = _proposal()
    login(client, make_user())
    html = client.post(f"/project/{project.id}/reacties", data={"body": "<b>vet</b>"})
    assert html.status_code == 400
    body = html.get_data(as_text=True)
    assert "Schrijf gewone tekst, zonder HTML-codes" in body
    assert "&lt;b&gt;vet&lt;/b&gt;</textarea>" in body  # what they wrote is kept in the form, escaped
    long = client.post(f"/project/{project.id}/reacties", data={"body": "x" * 50_000})
    assert long.status_code == 400
    assert "50000 tekens" in long.get_data(as_text=True)
    assert db.session.query(Reaction).count() == 0


def test_a_hidden_reaction_shows_the_public_reason_in_its_place(app: Flask, client: FlaskClient) -> None:
    project, _author = _proposal()
    reaction = _react(app, project, "Iets heel vervelends")
    reporter = make_user()
    login(client, reporter)
    assert client.post(f"/reactie/{reaction.id}/melden", data={"reason": "Beledigend"}).status_code == 302
    client.post("/uitloggen")
    login(client, make_user(Role.ORGANISER))
    assert "Iets heel vervelends" in client.get("/organiseren/reacties").get_data(as_text=True)
    refused = client.post(f"/organiseren/reactie/{reaction.id}/verbergen", data={"reason": ""})
    assert refused.status_code == 400
    client.post(f"/organiseren/reactie/{reaction.id}/verbergen", data={"reason": "Beledigt een buurman"})
    page = client.get(f"/project/{project.id}").get_data(as_text=True)
    assert "Verborgen door de organisatie." in page and "Beledigt een buurman" in page
    assert "Iets heel vervelends" not in page


def test_residents_cannot_reach_moderation(app: Flask, client: FlaskClient) -> None:
    project, _author = _proposal()
    reaction = _react(app, project, "Gewoon een reactie")
    login(client, make_user())
    assert client.get("/organiseren/reacties").status_code == 403
    assert (
        client.post(f"/organiseren/reactie/{reaction.id}/verbergen", data={"reason": "x"}).status_code == 403
    )
    assert reaction.hidden_at is None


def test_reactions_are_read_only_from_voting_on(client: FlaskClient) -> None:
    project, _author = _proposal(Phase.VOTING)
    login(client, make_user())
    page = client.get(f"/project/{project.id}").get_data(as_text=True)
    assert "De reacties zijn gesloten" in page and "Plaats reactie" not in page
    assert client.post(f"/project/{project.id}/reacties", data={"body": "Te laat"}).status_code == 409
    assert db.session.query(Reaction).count() == 0


def test_editing_within_fifteen_minutes(app: Flask, client: FlaskClient) -> None:
    project, _author = _proposal()
    writer = make_user()
    with service_context(app):
        reaction = reactions.post_reaction(writer, project.id, "Eerste versie")
    login(client, writer)
    assert "Wijzig" in client.get(f"/project/{project.id}").get_data(as_text=True)
    client.post(f"/reactie/{reaction.id}/bewerken", data={"body": "Tweede versie"})
    assert reaction.body == "Tweede versie"


def test_reacting_is_rate_limited(app: Flask, db_session) -> None:
    project, _author = _proposal()
    user = make_user()
    config = TestConfig(database_url_for_tests())
    config.RATELIMIT_ENABLED = True  # the shared test app runs without limits
    limited = create_app(config)
    try:
        client = limited.test_client()
        login(client, user)
        statuses = [
            client.post(f"/project/{project.id}/reacties", data={"body": f"Reactie {i}"}).status_code
            for i in range(7)
        ]
    finally:
        limiter.enabled = False  # the limiter object is shared by every app in this process
    assert statuses == [302] * 6 + [429]
    assert db.session.query(Reaction).count() == 6
