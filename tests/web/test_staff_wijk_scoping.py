"""Every staff route of the url map, walked by staff of another wijk: 403 or 404, and nothing changes.

Staff routes are found, not listed: every view behind `role_required` carries `required_roles`, so a new
staff route is walked here without anyone adding it. Wijk A holds one of everything a staff route can touch;
an organiser, a professional and a poll worker of wijk B try each route with GET and POST.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from werkzeug.routing import Rule

from app.extensions import db
from app.models import CodeBatch, PaperEntry, Phase, ProjectStatus, RegisterImport, Role, Wijk
from app.models.freeze import seeding
from app.models.help_request import HelpRequest
from app.models.reaction import Reaction, ReactionReport
from tests.commitments_data import commitment_of, published_greedy_round
from tests.factories import (
    login,
    make_adult_register_entry,
    make_letter_code_round,
    make_location,
    make_project,
    make_round,
    make_user,
    make_voting_code,
    make_wijk,
)

# Something sensible for every form field a staff form has: were a check missing, the POST would do something.
FORM = {
    "name": "Overgenomen",
    "municipality": "Utrecht",
    "buurten": "Noord",
    "postcodes": "3512",
    "verdict": "feasible",
    "reason": "Omdat het kan.",
    "kind": "school",
    "grant": "1",
    "title": "Overgenomen",
    "target": "round:title",
    "new_value": "Overgenomen",
    "status": "in_progress",
    "text": "Overgenomen",
    "department": "Overgenomen",
    "postcode": "3512 AB",
    "house_number": "1",
    "reference": "REF-A",
    "via": "reissue",
}


@dataclass
class WijkA:
    wijk: Wijk
    url_values: dict[str, Any]
    words: list[str]  # names that must not appear on staff pages of wijk B


@pytest.fixture
def wijk_a(app: Flask, db_session: Any) -> WijkA:
    with app.app_context():
        return _build_wijk_a(app)


def _build_wijk_a(app: Flask) -> WijkA:
    wijk = make_wijk(name="Wijk Alfa")
    voting = make_letter_code_round(wijk, Phase.VOTING, title="Ronde Alfa stemt")
    make_project(voting)
    entry = make_adult_register_entry(voting, reference="REF-A")
    make_voting_code(entry)
    location = make_location(voting, name="Buurthuis Alfa")
    review = make_round(wijk, Phase.REVIEW, title="Ronde Alfa toetst")
    proposal = make_project(review, status=ProjectStatus.SUBMITTED, title="Voorstel Alfa")
    published = published_greedy_round(app, wijk=wijk, title="Ronde Alfa klaar")
    proposing = make_round(wijk, Phase.PROPOSALS, title="Ronde Alfa stelt voor")
    idea = make_project(proposing, status=ProjectStatus.SUBMITTED, title="Voorstel Alfa in opbouw")
    resident = make_user(Role.RESIDENT, wijk=wijk)
    with seeding(db.session):  # rows as the background jobs would have written them
        job = RegisterImport(round_id=voting.id, filename="register.csv", status="done", errors=[])
        batch = CodeBatch(round_id=voting.id, status="done")
        db.session.add_all([job, batch])
        db.session.flush()
        paper = PaperEntry(
            round_id=voting.id,
            location_id=location.id,
            entered_by_id=make_user(Role.POLL_WORKER, wijken=[wijk]).id,
            project_ids=[],
            register_entry_id=entry.id,
        )
        db.session.add(paper)
        reaction = Reaction(project_id=idea.id, author_id=resident.id, body="Reactie Alfa")
        db.session.add(reaction)
        db.session.flush()
        db.session.add(ReactionReport(reaction_id=reaction.id, reporter_id=resident.id, reason="Melding"))
        help_request = HelpRequest(
            project_id=idea.id, asker_id=resident.id, topic="cost_estimate", question="Hulp Alfa"
        )
        db.session.add(help_request)
        db.session.commit()
    values = {
        "wijk_id": wijk.id,
        "round_id": voting.id,
        "project_id": proposal.id,
        "commitment_id": commitment_of(published.a).id,
        "location_id": location.id,
        "entry_id": paper.id,
        "import_id": job.id,
        "batch_id": batch.id,
        "kind": "pdf",
        "user_id": make_user(Role.RESIDENT, wijk=wijk).id,
        "reaction_id": reaction.id,
        "request_id": help_request.id,
        "published": (published.round.id, published.a.id),
        "winner_page": f"/project/{published.a.id}",
    }
    words = ["Wijk Alfa", "Ronde Alfa", "Buurthuis Alfa", "Voorstel Alfa", "Reactie Alfa", "Hulp Alfa"]
    return WijkA(wijk, values, words)


def staff_rules(app: Flask) -> list[Rule]:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if getattr(app.view_functions[rule.endpoint], "required_roles", None) is not None
    ]


def url_for_rule(rule: Rule, values: dict[str, Any]) -> str:
    wanted = dict(values)
    if rule.endpoint == "commitments.drop":  # dropping a winner needs the published round and its winner
        wanted["round_id"], wanted["project_id"] = values["published"]
    args = {name: wanted[name] for name in rule.arguments}
    return rule.build(args, append_unknown=False)[1]  # type: ignore[index]


def table_fingerprints() -> dict[str, str]:
    """Every table's rows, hashed: a GET or POST that changed any row changes its table's fingerprint."""
    prints = {}
    for table in db.metadata.sorted_tables:
        query = text(
            f"SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM \"{table.name}\" t"
        )  # noqa: S608, E501
        count, digest = db.session.execute(query).one()
        prints[table.name] = f"{count}:{digest}"
    return prints


def test_the_walk_covers_every_staff_area(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in staff_rules(app)}
    for expected in (
        "organise.round_detail",
        "organise.register_import",
        "review.project",
        "codes.download",
        "commitments.post_progress",
        "commitments.drop",
        "stembureau.confirm",
    ):
        assert expected in endpoints
    assert {e.split(".")[0] for e in endpoints} == {
        "organise",
        "review",
        "codes",
        "commitments",
        "stembureau",
        "staff",  # the admin's staff page: walked too (staff of a wijk get 403 there)
    }


def _walk(client: FlaskClient, wijk_a: WijkA) -> Iterator[tuple[str, str, int, str]]:
    for rule in staff_rules(client.application):
        url = url_for_rule(rule, wijk_a.url_values)
        for method in [m for m in ("GET", "POST") if m in (rule.methods or ())]:
            response = client.open(url, method=method, data=FORM if method == "POST" else None)
            yield method, url, response.status_code, response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.PROFESSIONAL, Role.POLL_WORKER])
def test_staff_of_another_wijk_get_403_or_404_and_change_nothing(
    client: FlaskClient, wijk_a: WijkA, role: Role
) -> None:
    wijk_b = make_wijk(name="Wijk Bravo")
    make_round(wijk_b, Phase.VOTING, title="Ronde Bravo")
    login(client, make_user(role, wijken=[wijk_b]))
    before = table_fingerprints()
    let_through = []
    for method, url, status, body in _walk(client, wijk_a):
        takes_an_id = any(c.isdigit() for c in url)
        if takes_an_id and status not in (403, 404):
            let_through.append((method, url, status))
        if not takes_an_id and status < 400 and any(word in body for word in wijk_a.words):
            let_through.append((method, url, "shows wijk A"))
    assert let_through == []
    assert table_fingerprints() == before


def test_an_admin_opens_the_pages_of_every_wijk(client: FlaskClient, wijk_a: WijkA) -> None:
    login(client, make_user(Role.ADMIN))
    values = wijk_a.url_values
    for url in (
        f"/organiseren/ronde/{values['round_id']}",
        f"/organiseren/wijk/{values['wijk_id']}/bewerken",
        f"/toets/voorstel/{values['project_id']}",
        f"/stembureau/locatie/{values['location_id']}/controleren",
        f"/toezeggingen/{values['commitment_id']}/instellen",
    ):
        assert client.get(url).status_code == 200, url
    assert "Wijk Alfa" in client.get("/organiseren/").get_data(as_text=True)


def test_staff_of_the_wijk_open_its_pages_and_lists(client: FlaskClient, wijk_a: WijkA) -> None:
    values = wijk_a.url_values
    login(client, make_user(Role.ORGANISER, wijken=[wijk_a.wijk]))
    assert client.get(f"/organiseren/ronde/{values['round_id']}").status_code == 200
    assert "Ronde Alfa stemt" in client.get("/organiseren/").get_data(as_text=True)
    client.post("/uitloggen")
    login(client, make_user(Role.PROFESSIONAL, wijken=[wijk_a.wijk]))
    assert "Voorstel Alfa" in client.get("/toets/").get_data(as_text=True)
    assert client.get(f"/toets/voorstel/{values['project_id']}").status_code == 200


def test_a_winner_page_shows_staff_links_only_to_staff_of_its_wijk(
    client: FlaskClient, wijk_a: WijkA
) -> None:
    page = wijk_a.url_values["winner_page"]
    login(client, make_user(Role.PROFESSIONAL, wijken=[make_wijk()]))
    assert client.get(page).status_code == 200
    assert "Voortgang melden" not in client.get(page).get_data(as_text=True)
    client.post("/uitloggen")
    login(client, make_user(Role.PROFESSIONAL, wijken=[wijk_a.wijk]))
    assert "Voortgang melden" in client.get(page).get_data(as_text=True)
