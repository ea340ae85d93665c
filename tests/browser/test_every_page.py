"""Every GET route, for every role, at a phone's width and a desktop's: axe-core finds no WCAG 2.1 A/AA
violation, no page scrolls sideways (at 320 px either), and a screenshot of each is saved under
test-artifacts/pages/ for a person to look at.

One browser and one server for the whole crawl; each page is loaded once and checked at every width.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask

from app.demo.seed import DEMO_PASSWORD, seed_demo
from app.extensions import db
from app.models import Eligibility, Phase, ProjectStatus, Round, User, Wijk
from tests.browser.helpers import axe_report, log_in
from tests.browser.site_map import Target, site_ids, targets
from tests.conftest import empty_tables
from tests.factories import make_location, make_project, make_round

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pages"
WIDTHS = (375, 1280)
NARROWEST = 320
ROLES = {
    "anonymous": None,
    "resident": "bewoner@demo.wijkbudget.nl",
    "professional": "toetser@demo.wijkbudget.nl",
    "organiser": "organisator@demo.wijkbudget.nl",
    "poll_worker": "stembureau@demo.wijkbudget.nl",
    "admin": "admin@demo.wijkbudget.nl",
}
# Routes the demo site has no row for, and why that is fine.
UNREACHED_ON_THE_DEMO = {
    "records.download_part": "the demo's published round has no buurt part (a .pb download, not a page)",
    "organise.register_import": "the demo's registers were seeded, not uploaded",
}


@dataclass
class Crawl:
    pages: dict[str, list[str]] = field(default_factory=dict)  # role -> URLs checked as pages
    problems: list[str] = field(default_factory=list)
    reached: set[str] = field(default_factory=set)  # endpoints that answered 200 or a redirect for some role
    checked_urls: set[str] = field(default_factory=set)


@pytest.fixture(scope="module")
def demo_site(app: Flask, browser_app: Flask) -> Iterator[list[Target]]:
    with browser_app.app_context():
        seed_demo(voters=40)
        _extras()
        found, unreached = targets(browser_app, site_ids(ROLES["resident"] or ""))
    assert set(unreached) <= set(UNREACHED_ON_THE_DEMO), unreached
    yield found
    empty_tables(app)


def _extras() -> None:
    """What the demo lacks for a full crawl: a round taking proposals (with the resident's own proposal), one
    under review, and a polling location for the letter-code round."""
    resident = db.session.query(User).filter_by(email=ROLES["resident"]).one()
    wijk = db.session.get(Wijk, resident.wijk_id)
    proposing = make_round(wijk=wijk, phase=Phase.PROPOSALS, title="Bewonersbudget Lombok 2028: ideeën")
    make_project(
        proposing, title="Picknicktafels aan de Vecht", author_id=resident.id, status=ProjectStatus.SUBMITTED
    )
    reviewing = make_round(wijk=wijk, phase=Phase.REVIEW, title="Bewonersbudget Lombok 2028: toets")
    make_project(reviewing, title="Fietsenrekken bij het buurthuis", status=ProjectStatus.SUBMITTED)
    letter_round = db.session.query(Round).filter(Round.eligibility == Eligibility.LETTER_CODES.value).one()
    make_location(letter_round, name="Buurthuis De Leeuw")


def test_every_page_for_every_role_is_accessible_and_fits(browser, live_server: str, demo_site) -> None:  # type: ignore[no-untyped-def]
    crawl = Crawl()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for role, email in ROLES.items():
        context = browser.new_context(
            base_url=live_server, locale="nl-NL", viewport={"width": 1280, "height": 900}
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        if email:
            log_in(page, email, DEMO_PASSWORD)
        _crawl_role(page, role, demo_site, crawl)
        context.close()
    assert crawl.problems == [], "\n".join(crawl.problems)
    missed = {t.endpoint for t in demo_site} - crawl.reached
    assert missed == set(), f"no role could open: {sorted(missed)}"
    assert len(crawl.pages["organiser"]) > 30 and len(crawl.pages["anonymous"]) > 10


def _crawl_role(page, role: str, found: list[Target], crawl: Crawl) -> None:  # type: ignore[no-untyped-def]
    """Every URL is fetched for the role; a page is checked in full the first time the role meets its route,
    and for any URL no role has had checked yet (the other rounds of a route differ by phase)."""
    seen_endpoints: set[str] = set()
    seen_errors: set[int] = set()
    checked = crawl.pages.setdefault(role, [])
    for target in found:
        response = page.request.get(target.url, max_redirects=0)
        status = response.status
        html = response.headers.get("content-type", "").startswith("text/html")
        if status == 200:
            crawl.reached.add(target.endpoint)
            if not html or (target.endpoint in seen_endpoints and target.url in crawl.checked_urls):
                continue
            seen_endpoints.add(target.endpoint)
        elif status in (301, 302, 303, 308):
            crawl.reached.add(target.endpoint)  # a redirect (to the login page, or back: checked on its own)
            continue
        elif status in seen_errors:
            continue  # an error page already checked for this role
        elif status in (403, 404, 409):  # 409: a step the round is not in (voting closed, ...)
            seen_errors.add(status)
        else:
            crawl.problems.append(f"{role} {target.url}: unexpected {status}")
            continue
        page.set_viewport_size({"width": max(WIDTHS), "height": 900})
        page.goto(target.url)
        checked.append(target.url)
        crawl.checked_urls.add(target.url)
        _check(page, role, target, crawl)


def _check(page, role: str, target: Target, crawl: Crawl) -> None:  # type: ignore[no-untyped-def]
    name = f"{role}{re.sub(r'[^a-z0-9]+', '_', target.url.lower())}".rstrip("_")
    for width in (*sorted(WIDTHS, reverse=True), NARROWEST):
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            crawl.problems.append(f"{role} {target.url} at {width} px scrolls sideways by {overflow} px")
        if width not in WIDTHS:
            continue
        report = axe_report(page)
        if report:
            crawl.problems.append(f"{role} {target.url} at {width} px:\n{report}")
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
