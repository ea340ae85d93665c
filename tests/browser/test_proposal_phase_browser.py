"""The proposal phase in headless Chromium with CSRF on: supporting, reacting, uploading a picture and placing a
pin on the map (JavaScript, no tiles), each page without a WCAG 2.1 AA violation (axe-core)."""

from __future__ import annotations

import pytest
from flask import Flask

from app.extensions import db
from app.models import Phase, Project, ProjectStatus, ProposalPicture, Reaction, Role
from app.services.proposals import support
from app.services.rounds import buurt_maps
from tests.browser.helpers import assert_accessible, log_in
from tests.commitments_data import image_bytes
from tests.factories import PASSWORD, make_project, make_round, make_user
from tests.geo_data import cbs_geojson

pytestmark = pytest.mark.browser


def test_support_and_react(page, browser_app: Flask) -> None:  # type: ignore[no-untyped-def]
    with browser_app.app_context():
        rnd = make_round(phase=Phase.PROPOSALS, support_threshold=3)
        project_id = make_project(rnd, status=ProjectStatus.SUBMITTED, title="Moestuin").id
        email = make_user(wijk=rnd.wijk).email
    log_in(page, email, PASSWORD)
    page.goto(f"/project/{project_id}")
    assert_accessible(page)
    page.click("text=Steun dit voorstel")
    assert "1 steunbetuiging van de 3 nodig" in page.inner_text("main")
    page.fill("#body", "Goed plan, zie https://example.nl/moestuin")
    page.click("text=Plaats reactie")
    assert "Je reactie is geplaatst." in page.inner_text("main")
    assert page.locator("a[href='https://example.nl/moestuin']").count() == 1
    assert_accessible(page)
    with browser_app.app_context():
        assert support.support_count(project_id) == 1
        assert db.session.query(Reaction).filter_by(project_id=project_id).count() == 1


def test_upload_a_picture(page, browser_app: Flask) -> None:  # type: ignore[no-untyped-def]
    with browser_app.app_context():
        rnd = make_round(phase=Phase.PROPOSALS)
        author = make_user(wijk=rnd.wijk)
        project_id = make_project(rnd, status=ProjectStatus.SUBMITTED, author_id=author.id).id
        email = author.email
    log_in(page, email, PASSWORD)
    page.goto(f"/voorstel/{project_id}/fotos")
    assert_accessible(page)
    page.set_input_files(
        "#picture", {"name": "plein.jpg", "mimeType": "image/jpeg", "buffer": image_bytes(size=(800, 600))}
    )
    page.fill("#alt_text", "Het lege plein achter de bieb")
    page.click("text=Foto toevoegen")
    assert "De foto is toegevoegd." in page.inner_text("main")
    assert_accessible(page)
    page.goto(f"/project/{project_id}")
    assert page.locator("img[alt='Het lege plein achter de bieb']").count() == 1
    with browser_app.app_context():
        assert db.session.query(ProposalPicture).filter_by(project_id=project_id).count() == 1


def test_place_a_pin_by_clicking_the_map(page, browser_app: Flask) -> None:  # type: ignore[no-untyped-def]
    with browser_app.app_context():
        rnd = make_round(phase=Phase.PROPOSALS)
        buurt_maps.upload_boundaries(make_user(Role.ORGANISER), rnd.wijk_id, cbs_geojson())
        email, round_id = make_user(wijk=rnd.wijk).email, rnd.id
    log_in(page, email, PASSWORD)
    page.goto(f"/ronde/{round_id}/voorstel")
    page.wait_for_selector(".map-picker path")  # the buurt outlines, drawn without tiles
    assert_accessible(page)
    page.locator(".map-picker").scroll_into_view_if_needed()
    box = page.locator(".map-picker").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5)  # in the western buurt
    assert page.input_value("#latitude") and page.input_value("#longitude")
    page.fill("#title", "Bankjes bij de Dom")
    page.fill("#description", "Vier bankjes langs het pad voor wie even wil uitrusten.")
    page.fill("#cost", "2500")
    page.select_option("#category", "Groen")
    page.click("main form button[type=submit]")
    assert "Bedankt! Je voorstel is ingediend." in page.inner_text("main")
    with browser_app.app_context():
        project = db.session.query(Project).filter_by(round_id=round_id).one()
        assert project.latitude is not None and project.buurt is not None and project.buurt.name == "Noord"
    page.goto(f"/ronde/{round_id}")
    page.wait_for_selector(".map .leaflet-marker-icon")  # the pin, on the outlines, without tiles
    assert_accessible(page)
