"""The public results pages: nothing before publication, then winners, reasons, chart, budget and turnout."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Phase
from app.models.freeze import seeding
from app.services.results.counting import tally_round
from app.services.results.publishing import publish_round
from tests.factories import make_project, make_register_entries, make_round
from tests.results_data import RealisticRound, cast_votes, realistic_round, service_context


def _published(app: Flask) -> RealisticRound:
    data = realistic_round()
    with service_context(app):
        publish_round(data.round.id)
    return data


def _text(html: str) -> str:
    """The visible text of a page, whitespace collapsed, so assertions do not depend on markup."""
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html))


def test_results_page_shows_winners_reasons_chart_budget_turnout_and_kaders(
    app: Flask, client: FlaskClient
) -> None:
    data = _published(app)
    response = client.get(f"/uitslag/{data.round.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = _text(html)

    assert "Uitslag: Bewonersbudget Lombok 2026" in text
    for winner in data.winners:
        assert winner.title in text
    # Votes and cost per project, in a table that is the chart's text alternative.
    assert "Speeltuin Noord ✓ Gekozen 40 €\xa020.000" in text
    assert "Groene daken ✗ Niet gekozen 30 €\xa030.000" in text
    # Why the losers lost, from the structured explanations.
    assert (
        "Paste niet in wat er over was: er was nog €\xa025.000 over toen het aan de beurt was, "
        "en het kost €\xa030.000." in text
    )
    assert "Te weinig stemmen: het budget was al op aan projecten met meer stemmen" in text
    assert "Gekozen: het was nummer 1 dat geld kreeg" in text
    # Budget used and left, turnout as ballots cast.
    assert "Besteed budget €\xa050.000" in text
    assert "Budget over €\xa00" in text
    assert "45 stembiljetten zijn geteld." in text
    assert "We weten niet hoeveel bewoners mochten stemmen" in text
    # Accessible inline SVG chart; winners marked by pattern and text, not by colour alone.
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
    assert svg.count("✓ gekozen</text>") == 4
    assert svg.count("-hatch)") == 4
    # The kaders and the counting rule in plain words.
    assert "De spelregels van deze ronde" in text
    assert "Zo worden de stemmen geteld" in text
    assert "Hoe de stemmen zijn geteld" in text
    # The infeasible project was never on the ballot.
    assert "Parkeergarage" not in text


def test_results_page_gives_the_turnout_when_the_register_says_who_could_vote(
    app: Flask, client: FlaskClient
) -> None:
    data = realistic_round()
    with seeding(db.session):
        data.round.eligibility = "register_match"
        db.session.commit()
    make_register_entries(data.round, 90)
    with service_context(app):
        publish_round(data.round.id)
    text = _text(client.get(f"/uitslag/{data.round.id}").get_data(as_text=True))
    assert "Mochten stemmen 90" in text
    assert "Opkomst 50,0%" in text  # 45 ballots of 90
    assert "We weten niet hoeveel bewoners mochten stemmen" not in text


def test_results_page_leads_with_the_winners_and_folds_the_explanations(
    app: Flask, client: FlaskClient
) -> None:
    data = _published(app)
    html = client.get(f"/uitslag/{data.round.id}").get_data(as_text=True)
    assert html.index("Gekozen projecten") < html.index("Opkomst en budget") < html.index("<details")
    for folded in ("Niet gekozen, en waarom", "Hoe de stemmen zijn geteld", "Zelf controleren en natellen"):
        assert re.search(rf"<details[^>]*>\s*<summary>{folded}</summary>", html)
    # The table becomes a list of labelled rows on a phone.
    assert '<table class="stack-on-phone">' in html and 'data-label="Stemmen"' in html


def test_results_page_in_english_shows_english_reasons(app: Flask, client: FlaskClient) -> None:
    data = _published(app)
    client.post("/taal", data={"lang": "en", "next": f"/uitslag/{data.round.id}"})
    text = _text(client.get(f"/uitslag/{data.round.id}").get_data(as_text=True))
    assert "Result: Bewonersbudget Lombok 2026" in text
    assert (
        "Did not fit in what was left: €\xa025.000 was left when it was its turn, and it costs €\xa030.000."
        in text
    )
    assert "Too few votes: the budget was used up by projects with more votes" in text
    assert "45 ballots were counted." in text
    assert "Paste niet" not in text


def test_counted_but_unpublished_round_is_not_shown(app: Flask, client: FlaskClient) -> None:
    data = realistic_round()
    with service_context(app):
        tally_round(data.round.id)

    page = client.get(f"/uitslag/{data.round.id}")
    assert page.status_code == 404
    body = page.get_data(as_text=True)
    assert "De uitslag van deze ronde is nog niet gepubliceerd." in body
    assert "Speeltuin Noord" not in body and not re.search(r"\b40\b", _text(body))  # no vote count

    as_json = client.get(f"/uitslag/{data.round.id}.json")
    assert as_json.status_code == 404
    assert "votes" not in as_json.get_data(as_text=True)

    listing = client.get("/uitslag/")
    assert listing.status_code == 200
    assert data.round.title not in listing.get_data(as_text=True)
    assert "Er zijn nog geen uitslagen gepubliceerd." in listing.get_data(as_text=True)


def test_unknown_round_is_404(client: FlaskClient) -> None:
    assert client.get("/uitslag/999999").status_code == 404
    assert client.get("/uitslag/999999.json").status_code == 404


def test_index_lists_published_rounds_with_links(app: Flask, client: FlaskClient) -> None:
    data = _published(app)
    other = make_round(phase=Phase.CLOSED, title="Nog niet klaar")
    response = client.get("/uitslag/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'href="/uitslag/{data.round.id}"' in html
    assert "Bewonersbudget Lombok 2026" in html
    assert "4 projecten gekozen" in html
    assert other.title not in html


def test_json_matches_the_page(app: Flask, client: FlaskClient) -> None:
    data = _published(app)
    response = client.get(f"/uitslag/{data.round.id}.json")
    assert response.status_code == 200
    payload = response.get_json()
    assert payload["ballots_counted"] == 45
    assert payload["total_cost_cents"] == 5_000_000
    assert payload["budget_left_cents"] == 0
    assert payload["selected_project_ids"] == [p.id for p in data.winners]
    daken = next(p for p in payload["projects"] if p["title"] == "Groene daken")
    assert daken["votes"] == 30 and daken["selected"] is False
    assert daken["explanation"]["code"] == "did_not_fit"
    assert daken["reason"].startswith("Paste niet in wat er over was")


def test_results_page_shows_the_drawn_lot_when_it_decided(app: Flask, client: FlaskClient) -> None:
    rnd = make_round(
        phase=Phase.CLOSED,
        budget_cents=1_000_000,
        min_project_cost_cents=100_000,
        max_project_cost_cents=1_000_000,
    )
    first = make_project(rnd, cost_cents=600_000, title="Fietsenrek")
    second = make_project(rnd, cost_cents=600_000, title="Bloembakken")
    cast_votes(rnd, {first: 7, second: 7})
    with seeding(db.session):
        rnd.tie_break_lot = [second.id, first.id]
        db.session.commit()
    with service_context(app):
        publish_round(rnd.id)
    text = _text(client.get(f"/uitslag/{rnd.id}").get_data(as_text=True))
    assert (
        "dus besliste de loting. De volgorde die bij de start van het stemmen is geloot: Bloembakken Fietsenrek"
        in text
    )
    assert "Evenveel stemmen, in de gebruikte volgorde: Bloembakken, Fietsenrek." in text
    assert "Paste niet in wat er over was: er was nog €\xa04.000 over" in text


def test_results_page_without_ties_says_the_tie_break_was_not_needed(app: Flask, client: FlaskClient) -> None:
    data = _published(app)
    text = _text(client.get(f"/uitslag/{data.round.id}").get_data(as_text=True))
    assert "Geen projecten hadden evenveel stemmen" in text
    assert "De volgorde die bij de start van het stemmen is geloot" not in text
