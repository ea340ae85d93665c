"""Who may vote, in the browser: a resident votes with the letter code from their letter (no account), two poll
workers enter and confirm a paper ballot, and the organiser follows the turnout. With CSRF on and axe-core
checks (WCAG 2.1 AA) on every page visited."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Ballot, BallotChannel, Phase, Role
from tests.ballot_box import seal_every_urn
from tests.browser.helpers import assert_accessible, log_in
from tests.factories import (
    PASSWORD,
    give_code,
    make_letter_code_round,
    make_location,
    make_project,
    make_register_entry,
    make_user,
)

pytestmark = pytest.mark.browser


def _log_out(page) -> None:  # type: ignore[no-untyped-def]
    page.click("header form button[type=submit]:not([name=lang])")


def test_letter_code_paper_ballot_and_turnout(page, browser_app: Flask) -> None:  # type: ignore[no-untyped-def]
    with browser_app.app_context():
        rnd = make_letter_code_round(phase=Phase.VOTING)
        park, benches = make_project(rnd, title="Speeltuin opknappen"), make_project(rnd, title="Bankjes")
        online = make_register_entry(rnd, postcode="3512AB", house_number=4)
        on_paper = make_register_entry(rnd, postcode="3512AB", house_number=6)
        online_code, paper_code = give_code(online), give_code(on_paper)
        location = make_location(rnd, name="Buurthuis De Boog")
        first = make_user(Role.POLL_WORKER, email="stembureau1@example.nl")
        second = make_user(Role.POLL_WORKER, email="stembureau2@example.nl")
        organiser = make_user(Role.ORGANISER, email="organisator@example.nl")
        round_id, location_id = rnd.id, location.id
        park_id, benches_id = park.id, benches.id
        emails = (first.email, second.email, organiser.email)

    # The QR code on the letter opens the page with the code filled in; the resident adds the postcode.
    page.goto(f"/stemmen/code?code={online_code}")
    assert_accessible(page)
    page.fill("#postcode", "3512 ab")
    page.click("main form button[type=submit]")
    assert_accessible(page)
    page.check(f"#project-{park_id}")
    page.click("button[value=cast]")
    receipt = page.locator(".receipt").first.inner_text().strip()
    assert receipt
    assert_accessible(page)

    # A poll worker enters a paper ballot; a colleague confirms it.
    log_in(page, emails[0], PASSWORD)
    page.goto(f"/stembureau/locatie/{location_id}/stembiljet")
    assert_accessible(page)
    page.check("input[name=method][value=code]")
    page.fill("#code", paper_code)
    page.fill("#postcode", "3512AB")
    page.check(f"#project-{benches_id}")
    page.click("main form button[type=submit]")
    _log_out(page)
    log_in(page, emails[1], PASSWORD)
    page.goto(f"/stembureau/locatie/{location_id}/controleren")
    assert_accessible(page)
    page.click("main form button[type=submit]:not(.secondary)")
    assert_accessible(page)
    _log_out(page)

    with browser_app.app_context():
        seal_every_urn()  # both ballots wait in the urn until the seal job moves them into the ballot box
        ballots = db.session.scalars(select(Ballot).where(Ballot.round_id == round_id)).all()
        by_channel = {b.channel: b.project_ids for b in ballots}
    assert by_channel == {BallotChannel.ONLINE_CODE.value: [park_id], BallotChannel.PAPER.value: [benches_id]}

    # The organiser follows the turnout and the register.
    log_in(page, emails[2], PASSWORD)
    page.goto(f"/organiseren/ronde/{round_id}/opkomst")
    assert_accessible(page)
    page.goto(f"/organiseren/ronde/{round_id}/register")
    assert_accessible(page)
