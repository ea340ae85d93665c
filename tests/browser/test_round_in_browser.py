"""A resident votes with a knapsack ballot and changes it; an organiser closes and publishes; the public sees
the winners. Driven in headless Chromium with CSRF on, as a person would, plus axe-core checks (WCAG 2.1 AA)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from app.demo.seed import DEMO_PASSWORD, seed_demo
from app.extensions import db
from app.models import Ballot, Project, Result, Round
from tests.ballot_box import seal_every_urn
from tests.browser.helpers import assert_accessible, log_in

pytestmark = pytest.mark.browser


def test_vote_change_close_publish_and_see_winners(page, browser_app: Flask) -> None:  # type: ignore[no-untyped-def]
    with browser_app.app_context():
        round_id = seed_demo(voters=0)["voting_round"]
        projects = {
            p.title: p.id for p in db.session.scalars(select(Project).where(Project.round_id == round_id))
        }
    first, second, third = (
        projects["Geveltuintjes in de Kanaalstraat"],
        projects["Moestuin voor de Damstraat"],
        projects["Schaaktafels op het Moskeeplein"],
    )

    log_in(page, "bewoner@demo.wijkbudget.nl", DEMO_PASSWORD)
    page.goto(f"/ronde/{round_id}/stemmen")
    assert_accessible(page)
    page.check(f"#project-{first}")
    page.check(f"#project-{second}")
    page.click("button[value=cast]")
    receipt = page.locator(".receipt").first.inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", receipt)

    # Change the ballot: swap the second choice for a third project.
    page.goto(f"/ronde/{round_id}/stemmen")
    assert page.is_checked(f"#project-{first}") and page.is_checked(f"#project-{second}")
    page.uncheck(f"#project-{second}")
    page.check(f"#project-{third}")
    page.click("button[value=cast]")
    assert page.locator(".receipt").first.inner_text().strip() == receipt
    with browser_app.app_context():
        seal_every_urn()  # the changed ballot waits in the urn until the seal job moves it into the ballot box
        ballots = db.session.scalars(select(Ballot).where(Ballot.round_id == round_id)).all()
        assert len(ballots) == 1 and sorted(ballots[0].project_ids) == sorted([first, third])

    page.click("header form button[type=submit]:not([name=lang])")  # log out
    log_in(page, "organisator@demo.wijkbudget.nl", DEMO_PASSWORD)
    page.goto(f"/organiseren/ronde/{round_id}/stemming-sluiten")
    page.click("main form button[type=submit]")
    page.goto(f"/organiseren/ronde/{round_id}/publiceren")
    page.click("main form button[type=submit]")

    with browser_app.app_context():
        assert db.session.get(Round, round_id).phase == "published"
        result = db.session.scalars(select(Result).where(Result.round_id == round_id)).one()
        winners = set(result.selected_project_ids)
    assert {first, third} <= winners

    page.goto(f"/uitslag/{round_id}")
    assert_accessible(page)
    chosen = page.locator("section[aria-labelledby=winners-heading]").inner_text()
    with browser_app.app_context():
        titles = {db.session.get(Project, pid).title for pid in winners}
    for title in titles:
        assert title in chosen
    page.click("#others-heading > summary")  # the losers and their reasons sit in a folded section
    not_chosen = page.locator("#others-heading").inner_text()
    assert "Geveltuintjes in de Kanaalstraat" not in not_chosen
    assert page.locator("main svg[role=img]").count() >= 1
