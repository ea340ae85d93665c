"""The resident pages in headless Chromium with CSRF on: axe-core finds no WCAG 2.1 AA violation, the
running total follows the ticks (JavaScript), and the flows work as a person would use them."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from app.extensions import db
from app.models import Ballot, BallotChoice, Phase, Project, ProjectStatus, RoundBuurtBudget
from app.models.freeze import seeding
from tests.ballot_box import seal_every_urn
from tests.browser.helpers import assert_accessible, log_in
from tests.factories import PASSWORD, make_project, make_round, make_user

pytestmark = pytest.mark.browser


def test_propose_with_a_mistake_then_succeed(page, browser_app: Flask) -> None:  # type: ignore[no-untyped-def]
    with browser_app.app_context():
        rnd = make_round(phase=Phase.PROPOSALS)
        email, round_id = make_user(wijk=rnd.wijk).email, rnd.id
    log_in(page, email, PASSWORD)
    page.goto(f"/ronde/{round_id}")
    assert_accessible(page)
    page.click(f"a[href='/ronde/{round_id}/voorstel']")
    page.fill("#title", "Bankjes in het park")
    page.fill("#description", "Vier bankjes langs het pad voor wie even wil uitrusten.")
    page.fill("#cost", "10")
    page.select_option("#category", "Groen")
    page.click("main form button[type=submit]")
    assert page.locator("#cost-error").is_visible()
    assert_accessible(page)
    page.fill("#cost", "2.500,50")
    page.click("main form button[type=submit]")
    assert "Bedankt! Je voorstel is ingediend." in page.inner_text("main")
    assert_accessible(page)
    page.goto("/mijn-voorstellen")
    assert_accessible(page)
    with browser_app.app_context():
        assert db.session.query(Project).filter_by(round_id=round_id).one().cost_cents == 250_050


def test_ballot_running_total_check_and_cast(page, browser_app: Flask) -> None:  # type: ignore[no-untyped-def]
    with browser_app.app_context():
        rnd = make_round(phase=Phase.VOTING, budget_cents=3_000_000, max_project_cost_cents=2_000_000)
        ids = [make_project(rnd, cost_cents=c, title=f"Plan {c // 100}").id for c in (2_000_000, 1_500_000)]
        make_project(rnd, status=ProjectStatus.INFEASIBLE, title="Afgewezen plan")
        email, round_id = make_user(wijk=rnd.wijk).email, rnd.id
    log_in(page, email, PASSWORD)
    page.goto(f"/ronde/{round_id}/stemmen")
    assert_accessible(page)
    page.check(f"#project-{ids[0]}")
    page.check(f"#project-{ids[1]}")
    assert page.inner_text("[data-total=spent]").replace("\u00a0", " ") == "€ 35.000"
    assert page.inner_text("[data-total=left]").replace("\u00a0", " ") == "-€ 5.000"
    page.click("button[value=check]")
    assert "Je keuze kost € 35.000" in page.inner_text("main").replace("\u00a0", " ")
    assert_accessible(page)
    with browser_app.app_context():
        assert db.session.query(Ballot).count() == 0
    page.uncheck(f"#project-{ids[1]}")
    page.click("button[value=cast]")
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", page.inner_text(".receipt").strip())
    assert_accessible(page)
    page.goto(f"/ronde/{round_id}/projecten")
    assert_accessible(page)


def test_points_ballot_with_a_buurt_part(page, browser_app: Flask) -> None:  # type: ignore[no-untyped-def]
    """Points boxes and a buurt part: accessible, the running totals follow per part, and one cast stores both."""
    with browser_app.app_context():
        rnd = make_round(phase=Phase.REVIEW, ballot_type="points", points_total=5, points_per_project=3)
        noord = sorted(rnd.wijk.buurten, key=lambda b: b.name)[0]
        rnd.buurt_budgets = [RoundBuurtBudget(buurt_id=noord.id, budget_cents=900_000)]
        db.session.commit()
        park = make_project(rnd, title="Park").id
        bank = make_project(rnd, title="Bank", buurt_id=noord.id).id
        with seeding(db.session):
            rnd.phase = Phase.VOTING.value
            db.session.commit()
        email, round_id, noord_id = make_user(wijk=rnd.wijk).email, rnd.id, noord.id
    log_in(page, email, PASSWORD)
    page.goto(f"/ronde/{round_id}/stemmen")
    assert_accessible(page)
    page.fill(f"#points-{park}", "3")
    page.fill(f"#points-{bank}", "2")
    assert page.inner_text("#part-wijk [data-total=points]") == "3"
    assert page.inner_text(f"#part-buurt-{noord_id} [data-total=points]") == "2"
    page.fill(f"#points-{park}", "4")
    page.click("button[value=check]")
    assert "één project kan er hoogstens 3 krijgen" in page.inner_text("main")
    assert_accessible(page)
    page.fill(f"#points-{park}", "3")
    page.check(f"#buurt-{noord_id}")
    page.click("button[value=cast]")
    assert page.locator(".receipt").is_visible()
    assert_accessible(page)
    with browser_app.app_context():
        seal_every_urn()  # the ballot waits in the urn until the seal job moves it into the ballot box
        choices = {c.project_id: c.points for c in db.session.query(BallotChoice)}
        assert choices == {park: 3, bank: 2}
