"""The map without JavaScript: the round page lists proposals by buurt, the form takes degrees, and the map
data is JSON with outlines and pins (no tiles in tests)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from app.models import Phase, ProjectStatus, Role
from app.services.rounds import buurt_maps
from tests.factories import login, make_project, make_round, make_user
from tests.geo_data import INSIDE_NOORD, OUTSIDE, cbs_geojson
from tests.results_data import service_context


def _mapped_round(app: Flask):  # type: ignore[no-untyped-def]
    rnd = make_round(phase=Phase.PROPOSALS)
    with service_context(app):
        buurt_maps.upload_boundaries(make_user(Role.ORGANISER), rnd.wijk_id, cbs_geojson())
    return rnd


def _form(**place: str) -> dict[str, str]:
    return {
        "title": "Bankjes bij de Dom",
        "description": "Vier bankjes zodat ouderen onderweg kunnen uitrusten.",
        "cost": "2500",
        "category": "Groen",
        "buurt_id": "",
    } | place


def test_a_place_outside_the_wijk_gets_a_dutch_message(app: Flask, client: FlaskClient) -> None:
    rnd = _mapped_round(app)
    login(client, make_user(wijk=rnd.wijk))
    page = client.get(f"/ronde/{rnd.id}/voorstel").get_data(as_text=True)
    assert 'name="latitude"' in page and "proposal_map.js" in page
    response = client.post(
        f"/ronde/{rnd.id}/voorstel", data=_form(latitude=str(OUTSIDE[0]), longitude=str(OUTSIDE[1]))
    )
    assert response.status_code == 400
    assert f"Deze plek ligt buiten {rnd.wijk.name}" in response.get_data(as_text=True)
    assert rnd.projects == []
    placed = client.post(
        f"/ronde/{rnd.id}/voorstel",
        data=_form(latitude=str(INSIDE_NOORD[0]).replace(".", ","), longitude=str(INSIDE_NOORD[1])),
    )
    assert placed.status_code == 302


def test_round_page_lists_proposals_by_buurt_and_map_data_is_json(app: Flask, client: FlaskClient) -> None:
    rnd = _mapped_round(app)
    noord = next(b for b in rnd.wijk.buurten if b.name == "Noord")
    make_project(
        rnd,
        status=ProjectStatus.SUBMITTED,
        title="Bankjes",
        buurt_id=noord.id,
        latitude=INSIDE_NOORD[0],
        longitude=INSIDE_NOORD[1],
    )
    make_project(rnd, status=ProjectStatus.SUBMITTED, title="Een plan voor iedereen")
    page = client.get(f"/ronde/{rnd.id}").get_data(as_text=True)
    assert "<h4>Noord</h4>" in page and "<h4>De hele wijk</h4>" in page
    assert 'data-tile-url=""' in page  # tests have no tiles: outlines and pins only
    data = client.get(f"/ronde/{rnd.id}/kaart.json").get_json()
    assert {f["properties"]["name"] for f in data["buurten"]["features"]} == {"Noord", "Zuid"}
    assert [p["title"] for p in data["proposals"]] == ["Bankjes"]
    assert client.get(f"/ronde/{rnd.id}/kaart.json?winnaars=1").status_code == 404  # nothing published yet


def test_organiser_uploads_outlines_and_a_bad_file_is_explained(app: Flask, client: FlaskClient) -> None:
    from io import BytesIO

    rnd = make_round(phase=Phase.PROPOSALS)
    login(client, make_user(Role.ORGANISER))
    bad = client.post(
        f"/organiseren/wijk/{rnd.wijk_id}/kaart",
        data={"file": (BytesIO(b"<html>"), "kaart.geojson")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400 and "geen GeoJSON-bestand" in bad.get_data(as_text=True)
    good = client.post(
        f"/organiseren/wijk/{rnd.wijk_id}/kaart",
        data={"file": (BytesIO(cbs_geojson()), "kaart.geojson")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    assert buurt_maps.has_map(rnd.wijk)
