"""After the vote: publish, read the result, download the ballots and recount them, check a receipt, and follow a
winner's delivery. Driven in headless Chromium with CSRF on, as people would, with axe-core checks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app.counting.tally import run_tally
from app.demo.seed import DEMO_PASSWORD, seed_demo
from app.extensions import db
from app.models import Commitment, Project, Result
from tests.browser.helpers import assert_accessible, log_in

pytestmark = pytest.mark.browser


def _log_out(page) -> None:  # type: ignore[no-untyped-def]
    page.click("header form button[type=submit]:not([name=lang])")


def test_publish_download_recount_check_receipt_and_follow_delivery(  # type: ignore[no-untyped-def]
    page, browser_app: Flask, tmp_path: Path
) -> None:
    with browser_app.app_context():
        round_id = seed_demo(voters=0)["voting_round"]
        projects = {
            p.title: p.id for p in db.session.scalars(select(Project).where(Project.round_id == round_id))
        }
    chosen = projects["Schaaktafels op het Moskeeplein"]

    # A resident votes and keeps the receipt code.
    log_in(page, "bewoner@demo.wijkbudget.nl", DEMO_PASSWORD)
    page.goto(f"/ronde/{round_id}/stemmen")
    page.check(f"#project-{chosen}")
    page.click("button[value=cast]")
    receipt = page.locator(".receipt").first.inner_text().strip()
    _log_out(page)

    # The organiser closes voting and publishes.
    log_in(page, "organisator@demo.wijkbudget.nl", DEMO_PASSWORD)
    page.goto(f"/organiseren/ronde/{round_id}/stemming-sluiten")
    page.click("main form button[type=submit]")
    page.goto(f"/organiseren/ronde/{round_id}/publiceren")
    page.click("main form button[type=submit]")
    _log_out(page)
    with browser_app.app_context():
        result = db.session.scalars(select(Result).where(Result.round_id == round_id)).one()
        winners = list(result.selected_project_ids)
        rule = result.rule
    assert chosen in winners

    # The public results page shows the record's fingerprint and offers the ballots for download.
    page.goto(f"/uitslag/{round_id}")
    assert_accessible(page)
    page.click("#record-heading > summary")  # the record sits in a folded section
    assert re.fullmatch(r"[0-9a-f]{64}", page.locator("#record-sha256").inner_text().strip())
    with page.expect_download() as download_info:
        page.click("a[href$='record.pb']")
    pb_file = tmp_path / "round.pb"
    download_info.value.save_as(pb_file)

    # Anyone can recount the downloaded file (`wijkbudget tally` reads rule, tie-break and lot from it).
    recounted = run_tally(pb_file)
    assert recounted.outcome.rule == rule
    assert sorted(int(pid) for pid in recounted.outcome.selected) == sorted(winners)

    # The receipt check says the resident's ballot was counted.
    page.goto("/uitslag/stembewijs")
    page.select_option("#round_id", str(round_id))
    page.fill("#code", receipt.lower().replace("-", " "))
    page.click("main form button[type=submit]")
    assert "Ja, je stem is geteld" in page.locator(".answer").inner_text()
    assert_accessible(page)

    # A professional posts a progress update on the winner's commitment ...
    with browser_app.app_context():
        commitment_id = db.session.scalars(select(Commitment.id).where(Commitment.project_id == chosen)).one()
    log_in(page, "toetser@demo.wijkbudget.nl", DEMO_PASSWORD)
    page.goto(f"/toezeggingen/{commitment_id}/voortgang")
    assert_accessible(page)
    page.check("input[name=status][value=in_progress]")
    page.fill("#spent", "450")
    page.fill("#text", "De schaaktafels zijn besteld bij de leverancier.")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(rf".*/project/{chosen}.*"))
    _log_out(page)

    # ... and everyone sees it on the public project page.
    page.goto(f"/project/{chosen}")
    assert "De schaaktafels zijn besteld bij de leverancier." in page.locator("main").inner_text()
    assert_accessible(page)
