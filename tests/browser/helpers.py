"""What the browser tests do again and again: log in as a person would, and check a page with axe-core."""

from __future__ import annotations

import re

WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def assert_accessible(page) -> None:  # type: ignore[no-untyped-def]
    """axe-core finds no WCAG 2.1 A/AA violation on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, results.generate_report()


def axe_report(page) -> str:  # type: ignore[no-untyped-def]
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now, as a report ("" when there are none).
    axe is put into the page once, so checking it again at another width costs only the run."""
    from axe_playwright_python.base import AxeResults
    from axe_playwright_python.sync_playwright import Axe

    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(Axe().axe_script)
    results = AxeResults(page.evaluate("options => axe.run(document, options)", WCAG_AA))
    return results.generate_report() if results.violations_count else ""


def log_in(page, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/inloggen")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    if page.url.endswith("/inloggen/code"):  # organisers and admins: the code from their app
        page.fill("#code", current_code(email))
        page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/(?!inloggen).*"))


def current_code(email: str) -> str:
    """The account's authenticator code now; its last used step is forgotten (a code works once, and tests
    log the same account in more than once within 30 seconds)."""
    import pyotp
    from sqlalchemy import create_engine, text

    from tests.conftest import database_url_for_tests

    engine = create_engine(database_url_for_tests())
    try:
        with engine.begin() as conn:
            secret = conn.execute(
                text("UPDATE users SET totp_last_step = NULL WHERE email = :email RETURNING totp_secret"),
                {"email": email},
            ).scalar_one()
    finally:
        engine.dispose()
    return pyotp.TOTP(secret).now()
