"""The ballot page for every ballot type and for a ballot with parts, without JavaScript: points boxes, places
to choose, a buurt part; every problem shown at once; paper and letter-code ballots the same; and the results
page that explains the scoring, the caps and the money left over."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Ballot, BallotChoice, Phase, Project, Role, Round, RoundBuurtBudget, RoundCap
from app.models.freeze import seeding
from app.services.results.publishing import publish_round
from tests.ballot_box import sealed_session
from tests.factories import (
    give_code,
    login,
    make_adult_register_entry,
    make_letter_code_round,
    make_location,
    make_project,
    make_round,
    make_user,
)
from tests.results_data import cast_votes, service_context


@pytest.fixture(autouse=True)
def _app_context(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


def _text(response: Any) -> str:
    return html.unescape(str(response.get_data(as_text=True))).replace("\u00a0", " ")


def _choices() -> dict[int, tuple[int | None, int | None]]:
    return {c.project_id: (c.points, c.rank) for c in sealed_session().query(BallotChoice)}


def _round_with(client: FlaskClient, **kaders: Any) -> tuple[Round, list[Project]]:
    rnd = make_round(phase=Phase.VOTING, **kaders)
    projects = [
        make_project(rnd, cost_cents=cost, title=title)
        for cost, title in ((2_000_000, "Speeltuin"), (1_500_000, "Moestuin"), (1_000_000, "Bankjes"))
    ]
    login(client, make_user(wijk=rnd.wijk))
    return rnd, projects


# --- points ---------------------------------------------------------------------------------------------


def test_points_ballot_works_without_javascript(client: FlaskClient) -> None:
    rnd, (play, garden, benches) = _round_with(
        client, ballot_type="points", points_total=5, points_per_project=3
    )
    page = _text(client.get(f"/ronde/{rnd.id}/stemmen"))
    assert f'name="points-{play.id}"' in page and 'type="number"' in page
    assert "Je hebt 5 punten" in page and "hoogstens 3 aan één project" in page
    # Every problem at once, and what was typed comes back.
    bad = client.post(
        f"/ronde/{rnd.id}/stemmen",
        data={
            f"points-{play.id}": "4",
            f"points-{garden.id}": "2",
            f"points-{benches.id}": "x",
            "action": "check",
        },
        follow_redirects=True,  # Post/Redirect/Get: the ballot page shows the marks and the problems
    )
    body = _text(bad)
    assert bad.status_code == 200
    assert "Geef “Bankjes” een heel aantal punten" in body
    assert "Je gaf “Speeltuin” 4 punten; één project kan er hoogstens 3 krijgen." in body
    assert "Je hebt 6 punten gegeven; je hebt er 5." in body
    assert re.search(rf'name="points-{benches.id}"[^>]*\s+value="x"', body)
    assert sealed_session().query(Ballot).count() == 0
    cast = client.post(
        f"/ronde/{rnd.id}/stemmen",
        data={f"points-{play.id}": "3", f"points-{garden.id}": "2", "action": "cast"},
    )
    assert cast.status_code == 302
    assert _choices() == {play.id: (3, None), garden.id: (2, None)}
    receipt = _text(client.get(f"/ronde/{rnd.id}/stembewijs"))
    assert "Speeltuin</a> (€ 20.000): 3 punten" in receipt
    again = _text(client.get(f"/ronde/{rnd.id}/stemmen"))
    assert re.search(rf'name="points-{play.id}"[^>]*\s+value="3"', again)


# --- ranked ---------------------------------------------------------------------------------------------


def test_ranked_ballot_works_without_javascript(client: FlaskClient) -> None:
    rnd, (play, garden, benches) = _round_with(client, ballot_type="ranked", min_choices=1, max_choices=2)
    page = _text(client.get(f"/ronde/{rnd.id}/stemmen"))
    assert f'<select name="rank-{play.id}"' in page and "Plaats 2" in page and "Plaats 3" not in page
    bad = _text(
        client.post(
            f"/ronde/{rnd.id}/stemmen",
            data={
                f"rank-{play.id}": "1",
                f"rank-{garden.id}": "1",
                f"rank-{benches.id}": "2",
                "action": "cast",
            },
            follow_redirects=True,
        )
    )
    assert (
        "Je gaf plaats 1 aan meer dan één project" in bad
        and "Kies hoogstens 2 projecten; je koos er 3." in bad
    )
    assert sealed_session().query(Ballot).count() == 0
    ok = client.post(
        f"/ronde/{rnd.id}/stemmen",
        data={f"rank-{garden.id}": "1", f"rank-{benches.id}": "2", "action": "cast"},
    )
    assert ok.status_code == 302
    assert _choices() == {garden.id: (None, 1), benches.id: (None, 2)}
    assert "Moestuin (€ 15.000): plaats 1" in _text(client.get(f"/ronde/{rnd.id}/stembewijs")).replace(
        "</a>", ""
    )


# --- a ballot with a wijk part and a buurt part ---------------------------------------------------------


def _parts_round(**kaders: Any) -> tuple[Round, dict[str, Project], dict[str, int]]:
    rnd = make_round(phase=Phase.REVIEW, budget_cents=3_000_000, max_project_cost_cents=2_000_000, **kaders)
    noord, zuid = sorted(rnd.wijk.buurten, key=lambda b: b.name)
    rnd.buurt_budgets = [
        RoundBuurtBudget(buurt_id=noord.id, budget_cents=500_000),
        RoundBuurtBudget(buurt_id=zuid.id, budget_cents=700_000),
    ]
    db.session.commit()
    projects = {
        "park": make_project(rnd, cost_cents=2_000_000, title="Park"),
        "bank": make_project(rnd, cost_cents=400_000, title="Bank", buurt_id=noord.id),
        "boom": make_project(rnd, cost_cents=300_000, title="Boom", buurt_id=zuid.id),
    }
    with seeding(db.session):
        rnd.phase = Phase.VOTING.value
        db.session.commit()
    return rnd, projects, {"noord": noord.id, "zuid": zuid.id}


def test_open_round_resident_votes_in_the_wijk_part_and_their_own_buurt(client: FlaskClient) -> None:
    rnd, p, buurten = _parts_round()
    login(client, make_user(wijk=rnd.wijk))
    page = _text(client.get(f"/ronde/{rnd.id}/stemmen"))
    assert "In welke buurt woon je?" in page
    assert "Projecten voor de hele wijk" in page and "Projecten voor buurt Noord" in page
    assert "Projecten voor buurt Zuid" in page and "Je mag dit deel leeg laten." in page
    both = {"project_ids": [str(p["park"].id), str(p["bank"].id), str(p["boom"].id)], "action": "cast"}
    refused = _text(
        client.post(
            f"/ronde/{rnd.id}/stemmen",
            data={**both, "buurt_id": str(buurten["noord"])},
            follow_redirects=True,
        )
    )
    assert (
        "“Boom” is een project van buurt Zuid. Stem alleen op de projecten van de buurt waar je woont"
        in refused
    )
    assert sealed_session().query(Ballot).count() == 0
    over = {"project_ids": [str(p["bank"].id)], "buurt_id": str(buurten["noord"]), "action": "check"}
    assert "Projecten voor buurt Noord" in _text(
        client.post(f"/ronde/{rnd.id}/stemmen", data=over, follow_redirects=True)
    )
    ok = {
        "project_ids": [str(p["park"].id), str(p["bank"].id)],
        "buurt_id": str(buurten["noord"]),
        "action": "cast",
    }
    assert client.post(f"/ronde/{rnd.id}/stemmen", data=ok).status_code == 302
    [ballot] = sealed_session().query(Ballot).all()
    assert sorted(ballot.project_ids) == sorted([p["park"].id, p["bank"].id])  # one ballot, one transaction


def test_letter_code_voter_sees_only_their_own_buurt(client: FlaskClient) -> None:
    rnd = make_letter_code_round(phase=Phase.REVIEW)
    noord, zuid = sorted(rnd.wijk.buurten, key=lambda b: b.name)
    rnd.buurt_budgets = [RoundBuurtBudget(buurt_id=zuid.id, budget_cents=700_000)]
    db.session.commit()
    park = make_project(rnd, cost_cents=2_000_000, title="Park")
    boom = make_project(rnd, cost_cents=300_000, title="Boom", buurt_id=zuid.id)
    north = make_adult_register_entry(rnd, house_number=1, buurt_id=noord.id)
    south = make_adult_register_entry(rnd, house_number=2, buurt_id=zuid.id)
    north_code, south_code = give_code(north), give_code(south)
    with seeding(db.session):
        rnd.phase = Phase.VOTING.value
        db.session.commit()
    mine = _text(client.post("/stemmen/code", data={"code": south_code, "postcode": south.postcode}))
    assert "Projecten voor buurt Zuid" in mine and "Boom" in mine
    theirs = _text(client.post("/stemmen/code", data={"code": north_code, "postcode": north.postcode}))
    assert "Boom" not in theirs and "Park" in theirs and "In welke buurt woon je?" not in theirs
    cast = client.post(
        "/stemmen/code/stem",
        data={
            "code": south_code,
            "postcode": south.postcode,
            "project_ids": [park.id, boom.id],
            "action": "cast",
        },
    )
    assert cast.status_code == 200 and "Je stem is opgeslagen" in _text(cast)
    assert sorted(sealed_session().query(Ballot).one().project_ids) == sorted([park.id, boom.id])


def test_paper_ballot_with_points_keeps_the_points_to_the_ballot(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.VOTING, eligibility="letter_codes", ballot_type="points", points_total=3)
    play, garden = (make_project(rnd, title=t) for t in ("Speeltuin", "Moestuin"))
    location = make_location(rnd)
    voter = make_adult_register_entry(rnd, postcode="3512AB", house_number=7, birth_date=date(1980, 5, 1))
    code = give_code(voter)
    login(client, make_user(Role.POLL_WORKER))
    form = {
        "method": "code",
        "postcode": "3512 AB",
        "code": code,
        f"points-{play.id}": "2",
        f"points-{garden.id}": "2",
    }
    refused = client.post(f"/stembureau/locatie/{location.id}/stembiljet", data=form)
    assert (
        refused.status_code == 400
        and "Op dit stembiljet zijn 4 punten verdeeld; een kiezer heeft er 3." in _text(refused)
    )
    entered = client.post(
        f"/stembureau/locatie/{location.id}/stembiljet", data={**form, f"points-{garden.id}": "1"}
    )
    assert entered.status_code == 302
    client.post("/uitloggen")
    login(client, make_user(Role.POLL_WORKER))
    waiting = _text(client.get(f"/stembureau/locatie/{location.id}/controleren"))
    assert "Speeltuin (€ 5.000): 2 punten" in waiting and "Moestuin (€ 5.000): 1 punt" in waiting
    [entry_id] = re.findall(r"/invoer/(\d+)/bevestigen", waiting)
    assert client.post(f"/stembureau/locatie/{location.id}/invoer/{entry_id}/bevestigen").status_code == 200
    assert _choices() == {play.id: (2, None), garden.id: (1, None)}


# --- the results page ------------------------------------------------------------------------------------


def test_results_page_explains_caps_partial_funding_and_points(client: FlaskClient, app: Flask) -> None:
    rnd = make_round(
        phase=Phase.CLOSED,
        budget_cents=1_000_000,
        max_project_cost_cents=1_000_000,
        leftover_policy="partial",
        ballot_type="points",
        points_total=10,
    )
    with seeding(db.session):
        rnd.caps = [RoundCap(category="Groen", cap_cents=400_000)]
        db.session.commit()
    bomen = make_project(rnd, cost_cents=400_000, category="Groen", title="Bomen")
    bloemen = make_project(rnd, cost_cents=200_000, category="Groen", title="Bloemen")
    speeltuin = make_project(rnd, cost_cents=500_000, category="Spelen", title="Speeltuin")
    _points_ballots(rnd, [{bomen: 5, bloemen: 4, speeltuin: 3}, {bomen: 4, bloemen: 4, speeltuin: 2}])
    with service_context(app):
        publish_round(rnd.id)
    page = _text(client.get(f"/uitslag/{rnd.id}"))
    assert "Hoogstens € 4.000 gaat naar projecten met het thema Groen." in page
    assert "De score van een project is het totaal aantal punten" in page
    assert "Na het tellen was € 1.000 van het budget nog niet gebruikt." in page
    assert (
        "gaat het naar “Bloemen”, het volgende project op de lijst: € 1.000 van de kosten van € 2.000" in page
    )
    assert "✓ Deels betaald" in page
    assert "Deels betaald: het was het volgende project op de lijst" in page
    data = client.get(f"/uitslag/{rnd.id}.json").get_json()
    assert data["parts"][0]["leftover"]["partial"]["amount_cents"] == 100_000
    rows = {row["title"]: row for row in data["projects"]}
    assert (rows["Bloemen"]["funded_cents"], rows["Bomen"]["score"]) == (100_000, 9)


def _points_ballots(rnd: Round, ballots: list[dict[Project, int]]) -> None:
    for n, given in enumerate(ballots):
        ballot = Ballot(round_id=rnd.id, voter_key=f"key-{rnd.id}-{n}", receipt_code=f"R{rnd.id}-{n}")
        ballot.choices = [BallotChoice(project_id=p.id, round_id=rnd.id, points=v) for p, v in given.items()]
        db.session.add(ballot)
    db.session.commit()


def test_results_page_shows_each_part_with_its_own_leftover(client: FlaskClient, app: Flask) -> None:
    rnd, p, _ = _parts_round(leftover_policy="next_round")
    with seeding(db.session):
        rnd.phase = Phase.CLOSED.value
        db.session.commit()
    cast_votes(rnd, {p["park"]: 3, p["bank"]: 2})
    with service_context(app):
        publish_round(rnd.id)
    page = _text(client.get(f"/uitslag/{rnd.id}"))
    assert "Per deel van het stembiljet" in page
    assert "De hele wijk: € 20.000 van € 30.000 gebruikt" in page
    assert "Buurt Noord: € 4.000 van € 5.000 gebruikt" in page
    assert "€ 10.000 gaat naar de volgende ronde" in page and "€ 1.000 gaat naar de volgende ronde" in page
    assert f"round-{rnd.id}-buurt-" in page  # the buurt part's own .pb in the record section
