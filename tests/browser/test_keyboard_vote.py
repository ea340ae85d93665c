"""A resident votes a budget (knapsack) ballot from the home page with the keyboard alone: Tab, Enter, Space and
typing, never the mouse (WCAG 2.1.1)."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from app.extensions import db
from app.models import Ballot, Phase
from tests.ballot_box import seal_every_urn
from tests.factories import PASSWORD, make_project, make_round, make_user

pytestmark = pytest.mark.browser

MAX_TABS = 80


def tab_to(page, selector: str) -> None:  # type: ignore[no-untyped-def]
    """Press Tab until the focused element matches `selector`, as a keyboard user moves through the page."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


def test_a_knapsack_ballot_is_cast_from_the_home_page_with_the_keyboard_only(
    page, browser_app: Flask
) -> None:  # type: ignore[no-untyped-def]
    with browser_app.app_context():
        rnd = make_round(phase=Phase.VOTING, budget_cents=3_000_000, max_project_cost_cents=2_000_000)
        park, bench = (
            make_project(rnd, cost_cents=c, title=t).id for c, t in ((2_000_000, "Park"), (500_000, "Bank"))
        )
        email, round_id = make_user(wijk=rnd.wijk).email, rnd.id
    page.goto("/")
    tab_to(page, f"a.utrecht-toptask-link[href='/ronde/{round_id}/stemmen']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/inloggen.*"))  # voting needs an account: log in first, by keyboard
    tab_to(page, "#email")
    page.keyboard.type(email)
    tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf".*/ronde/{round_id}/stemmen$"))
    for project_id in (park, bench):
        tab_to(page, f"#project-{project_id}")
        page.keyboard.press("Space")
    assert page.inner_text("[data-total=spent]").replace("\u00a0", " ") == "€ 25.000"
    tab_to(page, "button[value=cast]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf".*/ronde/{round_id}/stembewijs$"))
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", page.inner_text(".receipt").strip())
    with browser_app.app_context():
        seal_every_urn()  # the ballot waits in the urn until the seal job moves it into the ballot box
        assert sorted(db.session.query(Ballot).one().project_ids) == sorted([park, bench])
